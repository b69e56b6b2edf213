; The IPI round trip in assembly: the reference the C# benchmark in tests/ipi is
; compared with, so that the cost of writing it in C# is a measured figure.
; Sender: write the ICR (or SELF IPI MSR), spin until the target's handler has
; acknowledged, repeat. Target: a bare handler installed straight into the IDT
; gate (no common stub, no C# dispatcher): ack, EOI, IRET.

%include "layout.inc"

%define X2APIC_EOI_MSR   0x80B
%define XAPIC_EOI        0xFEE000B0
%define XAPIC_ICR_LOW    0xFEE00300
%define XAPIC_ICR_HIGH   0xFEE00310

; struct IpiAsmParams (tests/ipi: AsmParams), offsets, checked at build time by `imagetool layout`:
%define P_X2APIC        0               ; AsmParams.X2Apic: 1 = x2APIC (WRMSR), 0 = xAPIC (MMIO)
%define P_MSR           4               ; AsmParams.Msr: x2APIC ICR (0x830) or SELF IPI (0x83F)
%define P_LOW           8               ; AsmParams.Low: ICR low / SELF IPI value
%define P_HIGH          12              ; AsmParams.High: x2APIC: destination; xAPIC: ICR_HIGH value
%define P_ITERATIONS    16              ; AsmParams.Iterations
%define P_ACKS          20              ; AsmParams.AcksPerIpi: acknowledgements per IPI (broadcast: CPUs - 1)
%define P_WAIT_CYCLES   24              ; AsmParams.WaitCycles: TSC cycles allowed per round trip before giving up
%define SPINS_PER_TSC_CHECK 1024        ; RDTSC traps on some hosts: check the deadline sparingly
%define P_SAMPLES       32              ; AsmParams.Samples: per-round-trip cycles, or 0 for one batch time
%define P_PV            40              ; AsmParams.Pv: 1 = send with KVM_HC_SEND_IPI (P_HIGH = min APIC ID, bitmap bit 0)
%define P_VMMCALL       44              ; AsmParams.Vmmcall: 1 = VMMCALL (AMD), 0 = VMCALL (Intel)
%define KVM_HC_SEND_IPI 10

section .data
align 64
global ipi_ack
ipi_ack:        dd 0

section .text
bits 64

global ipi_asm_handler_x2apic, ipi_asm_handler_xapic
align 16
ipi_asm_handler_x2apic:
        push rax
        push rcx
        push rdx
        lock inc dword [rel ipi_ack]
        mov ecx, X2APIC_EOI_MSR
        xor eax, eax
        xor edx, edx
        wrmsr
        pop rdx
        pop rcx
        pop rax
        iretq

align 16
ipi_asm_handler_xapic:
        push rax
        lock inc dword [rel ipi_ack]
        mov rax, XAPIC_EOI
        mov dword [rax], 0
        pop rax
        iretq

; uint64 ipi_asm_roundtrip(IpiAsmParams* p): total cycles of the batch (samples
; null) or of the sampled loop; 0 if an acknowledgement never came.
global ipi_asm_roundtrip
ipi_asm_roundtrip:
        push rbx
        push r12
        push r13
        push r14
        push r15
        mov rbx, rdi                    ; rbx = params
        mov dword [rel ipi_ack], 0
        xor r12d, r12d                  ; acks expected so far
        xor r13d, r13d                  ; iteration
        mov r15, [rbx + P_SAMPLES]

        RDTSC_BEGIN
        mov r14, rax                    ; batch start, or this sample's start
        mov rcx, [rbx + P_WAIT_CYCLES]
        mov edx, [rbx + P_ITERATIONS]
        imul rcx, rdx
        add rax, rcx
        push rax                        ; [rsp] = deadline for the whole loop

.next:
        test r15, r15
        jz .send
        RDTSC_BEGIN
        mov r14, rax
.send:
        cmp dword [rbx + P_PV], 0
        jne .pv
        cmp dword [rbx + P_X2APIC], 0
        je .xapic
        mfence                          ; as X2Apic.SendIpi: WRMSR to the ICR does not order memory
        mov ecx, [rbx + P_MSR]
        mov eax, [rbx + P_LOW]
        mov edx, [rbx + P_HIGH]
        wrmsr
        jmp .wait
.pv:                                    ; KVM_HC_SEND_IPI(low 1, high 0, min, ICR): rbx is an argument
        mov edx, [rbx + P_HIGH]
        mov esi, [rbx + P_LOW]
        mov edi, [rbx + P_VMMCALL]
        push rbx
        mov eax, KVM_HC_SEND_IPI
        mov ebx, 1
        xor ecx, ecx
        test edi, edi
        jnz .vmmcall
        vmcall
        pop rbx
        jmp .wait
.vmmcall:
        vmmcall
        pop rbx
        jmp .wait
.xapic:
        mov rax, XAPIC_ICR_HIGH
        mov edx, [rbx + P_HIGH]
        mov [rax], edx
        mov rax, XAPIC_ICR_LOW
        mov edx, [rbx + P_LOW]
        mov [rax], edx
.wait:
        add r12d, [rbx + P_ACKS]
        xor ecx, ecx
.spin:
        cmp [rel ipi_ack], r12d
        jae .acked
        pause
        inc ecx
        test ecx, SPINS_PER_TSC_CHECK - 1
        jnz .spin
        rdtsc
        shl rdx, 32
        or rax, rdx
        cmp rax, [rsp]
        jb .spin
        xor eax, eax
        jmp .out
.acked:
        test r15, r15
        jz .counted
        RDTSC_END
        sub rax, r14
        mov [r15 + r13 * 8], rax
.counted:
        inc r13d
        cmp r13d, [rbx + P_ITERATIONS]
        jb .next

        test r15, r15
        jz .batch_end
        mov eax, 1                      ; sampled: the samples are the result
        jmp .out
.batch_end:
        RDTSC_END
        sub rax, r14
.out:
        add rsp, 8                      ; the deadline
        pop r15
        pop r14
        pop r13
        pop r12
        pop rbx
        ret

global ipi_asm_handler_address          ; uint64 ipi_asm_handler_address(int x2apic)
ipi_asm_handler_address:
        lea rax, [rel ipi_asm_handler_xapic]
        lea rdx, [rel ipi_asm_handler_x2apic]
        test edi, edi
        cmovnz rax, rdx
        ret

global ipi_ack_address                  ; int32* ipi_ack_address(void)
ipi_ack_address:
        lea rax, [rel ipi_ack]
        ret
