; KVM hypercalls (Documentation/virt/kvm/x86/hypercalls.rst): number in RAX,
; arguments in RBX, RCX, RDX, RSI, result in RAX. Intel CPUs trap VMCALL, AMD CPUs
; VMMCALL; KvmHypercall picks the one for the CPUID vendor. RBX is callee-saved in
; SysV, so it is kept.

%include "layout.inc"

section .text
bits 64

; uint64 kvm_hypercall_vmcall(uint64 nr, uint64 a0, uint64 a1, uint64 a2, uint64 a3)
; SysV: rdi = nr, rsi = a0, rdx = a1, rcx = a2, r8 = a3.
%macro HYPERCALL 2
global %1
%1:
        push rbx
        mov rax, rdi
        mov rbx, rsi
        mov r9, rdx
        mov rdx, rcx
        mov rcx, r9
        mov rsi, r8
        %2
        pop rbx
        ret
%endmacro

HYPERCALL kvm_hypercall_vmcall, vmcall
HYPERCALL kvm_hypercall_vmmcall, vmmcall
