; Deliberate exceptions for the idt test kernel. Each function arms the resume
; address (PerCpu.ResumeRip) like the *_safe MSR helpers, executes one faulting
; instruction at a global label the test can compare RIP with, and returns the
; vector taken (from PerCpu.LastVector) or -1 if nothing was raised.

%include "layout.inc"

%macro ARM_RESUME 1
        lea rax, [rel %1_resume]
        mov [gs:PERCPU_RESUME_RIP], rax
        mov dword [gs:PERCPU_LAST_VECTOR], -1
%endmacro

%macro RESUME 1
        mov qword [gs:PERCPU_RESUME_RIP], 0
%1_resume:
        mov eax, [gs:PERCPU_LAST_VECTOR]
        ret
%endmacro

section .text
bits 64

global raise_de, raise_de_insn
raise_de:                               ; #DE: divide by zero
        ARM_RESUME raise_de
        xor ecx, ecx
        mov eax, 1
        xor edx, edx
raise_de_insn:
        div ecx
        RESUME raise_de

global raise_ud, raise_ud_insn
raise_ud:                               ; #UD: UD2
        ARM_RESUME raise_ud
raise_ud_insn:
        ud2
        RESUME raise_ud

global raise_bp, raise_bp_insn
raise_bp:                               ; #BP: INT3 is a trap, RIP points after it
        ARM_RESUME raise_bp
raise_bp_insn:
        int3
        RESUME raise_bp

global raise_gp_selector, raise_gp_selector_insn
raise_gp_selector:                      ; #GP(selector): load a selector beyond the GDT limit
        ARM_RESUME raise_gp_selector
        mov eax, edi
raise_gp_selector_insn:
        mov ds, ax
        RESUME raise_gp_selector

global raise_gp_noncanonical, raise_gp_noncanonical_insn
raise_gp_noncanonical:                  ; #GP(0): non-canonical address
        ARM_RESUME raise_gp_noncanonical
        mov rax, 0x8000000000000000
raise_gp_noncanonical_insn:
        mov rax, [rax]
        RESUME raise_gp_noncanonical

global raise_pf_read, raise_pf_read_insn
raise_pf_read:                          ; #PF: read of rdi, which must be unmapped
        ARM_RESUME raise_pf_read
raise_pf_read_insn:
        mov rax, [rdi]
        RESUME raise_pf_read

global raise_pf_write, raise_pf_write_insn
raise_pf_write:                         ; #PF: write to rdi
        ARM_RESUME raise_pf_write
raise_pf_write_insn:
        mov qword [rdi], 0
        RESUME raise_pf_write

global raise_int2                       ; int raise_int2(void): software INT 2 (NMI gate, its IST)
raise_int2:
        ARM_RESUME raise_int2
        int 2
        RESUME raise_int2

; Restores the data segments after raise_gp_selector (the load faulted, but be safe).
global reload_data_segments
reload_data_segments:
        mov ax, GDT_DATA
        mov ds, ax
        mov es, ax
        ret

; uint64 raise_insn_address(int which): where each faulting instruction is, in the
; order of FaultSite in tests/idt (DE, UD, BP, GP selector, GP non-canonical,
; PF read, PF write).
section .rodata
align 8
raise_sites:
        dq raise_de_insn, raise_ud_insn, raise_bp_insn, raise_gp_selector_insn
        dq raise_gp_noncanonical_insn, raise_pf_read_insn, raise_pf_write_insn
raise_sites_end:

section .text
global raise_insn_address
raise_insn_address:
        xor eax, eax
        cmp edi, (raise_sites_end - raise_sites) / 8
        jae .out
        lea rax, [rel raise_sites]
        mov rax, [rax + rdi * 8]
.out:
        ret

; Unguarded exceptions for the faults kernel: nothing is armed, so the exception reaches
; the unexpected-fault report (Idt.Dispatch), as a bug in a test would.
section .text
global divide_by_zero
divide_by_zero:                         ; #DE with no resume address
        xor ecx, ecx
        mov eax, 1
        xor edx, edx
        div ecx
        ret
