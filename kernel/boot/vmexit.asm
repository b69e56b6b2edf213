; The operations of the vmexit kernel (tests/vmexit) that C# cannot express, and the
; assembly reference loops its cheap cases are compared with: N times the bare
; instruction between two fenced TSC reads, so the cost of the C# loop around an
; operation is itself a measured figure.

%include "layout.inc"

%define DR7_FIXED_1     0x400           ; DR7 bit 10 reads as 1 (SDM vol. 3B 18.2.4)

section .text
bits 64

; ---- single operations (SysV: void f(void) unless noted) ----

global vmexit_op_cpuid
vmexit_op_cpuid:
        push rbx
        xor eax, eax
        xor ecx, ecx
        cpuid
        pop rbx
        ret

; KVM's hypercall with an unknown number (0 is none): the exit and KVM's -KVM_ENOSYS answer.
global vmexit_op_vmcall, vmexit_op_vmmcall
vmexit_op_vmcall:
        push rbx
        xor eax, eax
        vmcall
        pop rbx
        ret
vmexit_op_vmmcall:
        push rbx
        xor eax, eax
        vmmcall
        pop rbx
        ret

global vmexit_op_wbinvd
vmexit_op_wbinvd:
        wbinvd
        ret

global vmexit_op_read_cr8              ; uint64 f(void)
vmexit_op_read_cr8:
        mov rax, cr8
        ret

global vmexit_op_write_cr8             ; void f(uint64 value)
vmexit_op_write_cr8:
        mov cr8, rdi
        ret

global vmexit_op_write_dr7             ; void f(uint64 value)
vmexit_op_write_dr7:
        mov dr7, rdi
        ret

; ---- reference loops: uint64 f(uint64 n [, uint32 port_or_msr]) -> fenced cycles of n operations ----

%macro TIMED_LOOP 1
        push rbx
        push r12
        push r13
        mov r12, rdi
        mov ebx, esi
        RDTSC_FENCED
        mov r13, rax
%%next:
        test r12, r12
        jz %%done
        %1
        dec r12
        jmp %%next
%%done:
        RDTSC_FENCED
        sub rax, r13
        pop r13
        pop r12
        pop rbx
        ret
%endmacro

%macro CPUID0 0
        xor eax, eax
        xor ecx, ecx
        cpuid
%endmacro
%macro VMCALL0 0
        xor eax, eax
        vmcall
%endmacro
%macro VMMCALL0 0
        xor eax, eax
        vmmcall
%endmacro
%macro READ_CR8 0
        mov rax, cr8
%endmacro
%macro WRITE_CR8_0 0
        xor eax, eax
        mov cr8, rax
%endmacro
%macro WRITE_DR7 0
        mov eax, DR7_FIXED_1
        mov dr7, rax
%endmacro
%macro IN32 0
        mov edx, ebx
        in eax, dx
%endmacro
%macro IN8 0
        mov edx, ebx
        in al, dx
%endmacro
%macro OUT8_0 0
        mov edx, ebx
        xor eax, eax
        out dx, al
%endmacro
%macro RDMSR_ 0
        mov ecx, ebx
        rdmsr
%endmacro
%macro WRMSR_0 0
        mov ecx, ebx
        xor eax, eax
        xor edx, edx
        wrmsr
%endmacro

global vmexit_loop_cpuid, vmexit_loop_vmcall, vmexit_loop_vmmcall, vmexit_loop_read_cr8, vmexit_loop_write_cr8
global vmexit_loop_write_dr7, vmexit_loop_inl, vmexit_loop_inb, vmexit_loop_outb, vmexit_loop_rdmsr, vmexit_loop_wrmsr_zero
vmexit_loop_cpuid:      TIMED_LOOP CPUID0
vmexit_loop_vmcall:     TIMED_LOOP VMCALL0
vmexit_loop_vmmcall:    TIMED_LOOP VMMCALL0
vmexit_loop_read_cr8:   TIMED_LOOP READ_CR8
vmexit_loop_write_cr8:  TIMED_LOOP WRITE_CR8_0
vmexit_loop_write_dr7:  TIMED_LOOP WRITE_DR7
vmexit_loop_inl:        TIMED_LOOP IN32
vmexit_loop_inb:        TIMED_LOOP IN8
vmexit_loop_outb:       TIMED_LOOP OUT8_0
vmexit_loop_rdmsr:      TIMED_LOOP RDMSR_
vmexit_loop_wrmsr_zero: TIMED_LOOP WRMSR_0
