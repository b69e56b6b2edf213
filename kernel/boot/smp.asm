; Application processor start-up. The BSP copies trampoline_start..trampoline_end
; to TRAMPOLINE_BASE and sends INIT-SIPI-SIPI with vector TRAMPOLINE_BASE >> 12.
; Each AP then climbs real mode -> protected mode -> long mode on the BSP's page
; tables and GDT, takes the next CPU index, its stack and per-CPU slot, and calls
; ap_main (Smp.cs).

%include "layout.inc"

extern gdt64, pml4, percpu_area, ap_main


section .text
bits 16
global trampoline_start, trampoline_end, code16_trampoline_start
align 16
trampoline_start:
code16_trampoline_start:
        cli
        cld
        mov ax, cs                      ; CS = SIPI vector << 8: address the copy
        mov ds, ax
        o32 lgdt [data_tramp_gdt_ptr - trampoline_start]
        mov eax, cr0
        or eax, CR0_PE
        mov cr0, eax
        jmp dword GDT_CODE32:code32_ap_entry
align 8
data_tramp_gdt_ptr:
        dw GDT_LIMIT
        dd gdt64
trampoline_end:

section .text
bits 32
code32_ap_entry:
        mov ax, GDT_DATA
        mov ds, ax
        mov es, ax
        mov ss, ax
        ENTER_LONG_MODE
        lgdt [gdt64_ptr_ap]
        jmp GDT_CODE64:code64_ap_entry

bits 64
code64_ap_entry:
        LOAD_LONG_MODE_SEGMENTS

        ; Index order is arrival order; the BSP is 0.
        mov eax, 1
        lock xadd [ap_next_index], eax
        mov ebx, eax                    ; ebx = this CPU's index

        mov eax, ebx
        inc eax
        imul eax, eax, AP_STACK_SIZE
        lea rsp, [ap_stacks]
        add rsp, rax

        mov eax, ebx
        imul eax, eax, PERCPU_SIZE
        lea rdi, [percpu_area]
        add rdi, rax
        mov [rdi], rdi                  ; PerCpu.Self
        mov [rdi + 8], ebx              ; PerCpu.Index
        mov rax, rdi
        mov rdx, rdi
        shr rdx, 32
        mov ecx, MSR_GS_BASE
        wrmsr

        mov edi, ebx
        call ap_main
.dead:
        cli
        hlt
        jmp .dead

section .data
align 16
gdt64_ptr_ap:
        dw GDT_LIMIT
        dq gdt64
align 4
global ap_next_index
ap_next_index:  dd 1

section .bss nobits alloc noexec write
alignb 16
ap_stacks:      resb AP_STACK_SIZE * MAX_CPUS

section .text
global smp_trampoline_bounds            ; void smp_trampoline_bounds(byte** start, byte** end)
smp_trampoline_bounds:
        lea rax, [rel trampoline_start]
        mov [rdi], rax
        lea rax, [rel trampoline_end]
        mov [rsi], rax
        ret

global smp_cpus_arrived                 ; int smp_cpus_arrived(void): BSP + APs that took an index
smp_cpus_arrived:
        mov eax, [rel ap_next_index]
        ret

section .bss nobits alloc noexec write
alignb 16
ist_stacks:     resb IST_STACK_SIZE * IST_STACKS * MAX_CPUS

section .text
; void* ist_stack_top(int cpu, int ist): top of stack ist (1..IST_STACKS) of cpu.
global ist_stack_top
ist_stack_top:
        mov eax, edi
        imul eax, eax, IST_STACKS
        add eax, esi                    ; (cpu * IST_STACKS + ist) stacks up = top of stack ist
        imul rax, rax, IST_STACK_SIZE
        lea rdx, [rel ist_stacks]
        add rax, rdx
        ret

global percpu_base                      ; void* percpu_base(void): slot of CPU 0
percpu_base:
        lea rax, [rel percpu_area]
        ret
