; One entry stub per vector, generated with %rep. Each pushes a dummy error code
; where the CPU does not push one (SDM vol. 3A table 6-1), the vector number, then
; jumps to a common path that saves the general registers and calls the C#
; dispatcher with a pointer to the frame (Kernel.InterruptFrame).

%include "layout.inc"

section .text
bits 64

; Vectors whose exceptions push an error code: #DF 8, #TS 10, #NP 11, #SS 12,
; #GP 13, #PF 14, #AC 17, #CP 21.
%define ERRCODE_MASK ((1 << 8) | (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14) | (1 << 17) | (1 << 21))

%macro ISR_STUB 1
align 16
isr_stub_%1:
%if %1 < 32 && ((ERRCODE_MASK >> %1) & 1)
%else
        push 0
%endif
        push %1
        jmp isr_common
%endmacro

%assign v 0
%rep 256
ISR_STUB v
%assign v v + 1
%endrep

extern interrupt_dispatch
isr_common:
        push rax
        push rbx
        push rcx
        push rdx
        push rsi
        push rdi
        push rbp
        push r8
        push r9
        push r10
        push r11
        push r12
        push r13
        push r14
        push r15
        mov rdi, rsp                    ; InterruptFrame*
        ; The frame is 8 mod 16 after 15 pushes + vector + error + 5 CPU words:
        ; align for the SysV call and keep the original in rbx (callee-saved).
        mov rbx, rsp
        and rsp, -16
        call interrupt_dispatch
        mov rsp, rbx
        pop r15
        pop r14
        pop r13
        pop r12
        pop r11
        pop r10
        pop r9
        pop r8
        pop rbp
        pop rdi
        pop rsi
        pop rdx
        pop rcx
        pop rbx
        pop rax
        add rsp, 16                     ; vector and error code
        iretq

section .rodata
align 8
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 256
        dq isr_stub_%+v
%assign v v + 1
%endrep

section .text
global isr_stub_table_address
isr_stub_table_address:
        lea rax, [rel isr_stub_table]
        ret
