package event

import (
	"maps"
	"net/netip"
	"slices"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// CreateVirtualNetwork creates a VNet. It takes the topology file's virtual
// network fields except peerings and loadBalancers: peerings are made with
// createPeering, whose lifecycle they follow, and load balancers with
// SetLoadBalancer. An empty NetworkController inherits the file's.
type CreateVirtualNetwork struct {
	Name              string
	NetworkController string
	Region            string
	AddressSpace      []netip.Prefix
	Subnets           []SubnetSpec
	Gateway           *GatewaySpec
	VirtualMachines   []VirtualMachineSpec
}

// Kind implements Event.
func (CreateVirtualNetwork) Kind() string { return "createVirtualNetwork" }

// Fields implements Event.
func (e CreateVirtualNetwork) Fields() []Field {
	out := []Field{{"name", e.Name}}
	out = appendNonEmpty(out, "networkController", e.NetworkController)
	out = appendNonEmpty(out, "region", e.Region)
	out = append(out, Field{"addressSpace", topology.StringsOf(e.AddressSpace)})
	if len(e.Subnets) > 0 {
		var subs []Field
		for _, s := range e.Subnets {
			subs = append(subs, Field{s.Name, s.fields()})
		}
		out = append(out, Field{"subnets", subs})
	}
	if e.Gateway != nil {
		out = append(out, Field{"gateway", e.Gateway.fields()})
	}
	if len(e.VirtualMachines) > 0 {
		var vms []Field
		for _, v := range e.VirtualMachines {
			vms = append(vms, Field{v.Name, v.fields()})
		}
		out = append(out, Field{"virtualMachines", vms})
	}
	return out
}

func (e CreateVirtualNetwork) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "createVirtualNetwork needs a name")
	}
	if r := checkName("createVirtualNetwork", e.Name); r != nil {
		return r
	}
	if t.n.VirtualNetworks[e.Name] != nil {
		return refusef(diag.DuplicateName, "virtual network %q already exists", e.Name)
	}
	if len(e.AddressSpace) == 0 {
		return refusef(diag.MissingField, "createVirtualNetwork %q needs an addressSpace", e.Name)
	}
	v := &topology.VirtualNetwork{
		Name:              e.Name,
		NetworkController: e.NetworkController,
		Region:            e.Region,
		AddressSpace:      slices.Clone(e.AddressSpace),
		Subnets:           map[string]*topology.Subnet{},
		VirtualMachines:   map[string]*topology.VirtualMachine{},
		LoadBalancers:     map[string]*topology.LoadBalancer{},
		Peerings:          map[string]*topology.Peering{},
	}
	if v.NetworkController == "" {
		v.NetworkController = t.n.NetworkController
	}
	t.n.VirtualNetworks[e.Name] = v
	t.copied[e.Name] = true
	t.touched[e.Name] = true
	for _, s := range e.Subnets {
		if r := t.addSubnet(v, s); r != nil {
			return r
		}
	}
	if e.Gateway != nil {
		if r := t.setGateway(v, *e.Gateway); r != nil {
			return r
		}
	}
	for _, vm := range e.VirtualMachines {
		run, fwd := vm.Running, vm.IPForwarding
		sv := SetVirtualMachine{VNet: e.Name, Name: vm.Name, Running: &run, IPForwarding: &fwd, IPAddress: vm.IPAddress, Subnet: vm.Subnet}
		if v.VirtualMachines[vm.Name] != nil {
			return refusef(diag.DuplicateName, "virtual network %q lists VM %q twice", e.Name, vm.Name)
		}
		if r := sv.apply(t); r != nil {
			return r
		}
		if vm.AccessControlList != "" {
			a := t.n.AccessControlLists[vm.AccessControlList]
			if a == nil {
				return refusef(diag.UnknownReference, "VM %q names access control list %q, which does not exist", vm.Name, vm.AccessControlList)
			}
			v.VirtualMachines[vm.Name].AccessControlList = a
		}
	}
	return nil
}

// VirtualMachineSpec describes a VM created with its VNet.
type VirtualMachineSpec struct {
	Name              string
	Subnet            string
	IPAddress         netip.Addr
	IPForwarding      bool
	AccessControlList string // the NIC ACL; "" means none
	Running           bool   // the contract default is true
}

func (v VirtualMachineSpec) fields() []Field {
	out := []Field{{"subnet", v.Subnet}, {"ipAddress", v.IPAddress.String()}}
	if v.IPForwarding {
		out = append(out, Field{"ipForwarding", true})
	}
	out = appendNonEmpty(out, "accessControlList", v.AccessControlList)
	if !v.Running {
		out = append(out, Field{"running", false})
	}
	return out
}

// DeleteVirtualNetwork deletes a VNet with everything in it. It is always
// accepted when the VNet exists; peering objects pointing at it become
// Disconnected.
type DeleteVirtualNetwork struct{ Name string }

// Kind implements Event.
func (DeleteVirtualNetwork) Kind() string { return "deleteVirtualNetwork" }

// Fields implements Event.
func (e DeleteVirtualNetwork) Fields() []Field { return []Field{{"name", e.Name}} }

func (e DeleteVirtualNetwork) apply(t *tx) *Refusal {
	if t.n.VirtualNetworks[e.Name] == nil {
		return notFoundf("virtual network %q does not exist", e.Name)
	}
	// docs/reference/scenarios.md: deleteVirtualNetwork is accepted, whatever it leaves
	// behind.
	t.skipValidation = true
	delete(t.n.VirtualNetworks, e.Name)
	t.copied[e.Name] = true
	for _, vn := range slices.Sorted(maps.Keys(t.n.VirtualNetworks)) {
		for _, p := range t.n.VirtualNetworks[vn].SortedPeerings() {
			if p.RemoteVirtualNetwork == e.Name && !p.Disconnected {
				// An object toward a VNet that no longer exists is
				// Disconnected, whether it was Connected or Initiated.
				t.ownPeering(t.vnet(vn), p.Name).Disconnected = true
			}
		}
	}
	return nil
}
