package event

import (
	"net/netip"

	"github.com/vnetsim/vnetsim/topology"
	"github.com/vnetsim/vnetsim/topology/diag"
)

// SetVirtualMachine changes the fields given of a VM, or creates it when
// the VNet has no VM of that name (Subnet and IPAddress are then required).
// A nil pointer, a zero address or an empty subnet means "not given".
type SetVirtualMachine struct {
	VNet, Name   string
	Running      *bool
	IPForwarding *bool
	IPAddress    netip.Addr
	Subnet       string
}

// Kind implements Event.
func (SetVirtualMachine) Kind() string { return "setVirtualMachine" }

// Fields implements Event.
func (e SetVirtualMachine) Fields() []Field {
	out := []Field{{"vnet", e.VNet}, {"name", e.Name}}
	if e.Running != nil {
		out = append(out, Field{"running", *e.Running})
	}
	if e.IPForwarding != nil {
		out = append(out, Field{"ipForwarding", *e.IPForwarding})
	}
	if e.IPAddress.IsValid() {
		out = append(out, Field{"ipAddress", e.IPAddress.String()})
	}
	return appendNonEmpty(out, "subnet", e.Subnet)
}

func (e SetVirtualMachine) apply(t *tx) *Refusal {
	if e.Name == "" {
		return refusef(diag.MissingField, "setVirtualMachine needs a name")
	}
	if r := checkName("setVirtualMachine", e.Name); r != nil {
		return r
	}
	v, r := t.needVNet(e.VNet)
	if r != nil {
		return r
	}
	vm := v.VirtualMachines[e.Name]
	if vm == nil {
		if e.Subnet == "" || !e.IPAddress.IsValid() {
			return refusef(diag.MissingField, "VM %q does not exist in %q; creating it needs subnet and ipAddress", e.Name, e.VNet)
		}
		vm = &topology.VirtualMachine{Name: e.Name, Running: true}
		if v.VirtualMachines == nil {
			v.VirtualMachines = map[string]*topology.VirtualMachine{}
		}
		v.VirtualMachines[e.Name] = vm
	}
	if e.Subnet != "" {
		s := v.Subnets[e.Subnet]
		if s == nil {
			return refusef(diag.UnknownReference, "VM %q names subnet %q, which %q does not have", e.Name, e.Subnet, e.VNet)
		}
		vm.Subnet = s
	}
	if e.IPAddress.IsValid() && e.IPAddress != vm.IPAddress {
		vm.IPAddress = e.IPAddress
		t.touchApplianceUsers(e.IPAddress)
	}
	if e.Running != nil {
		vm.Running = *e.Running
	}
	if e.IPForwarding != nil {
		vm.IPForwarding = *e.IPForwarding
	}
	return nil
}
