; PVH entry: QEMU (-kernel) finds the XEN_ELFNOTE_PHYS32_ENTRY note and jumps to
; pvh_start in 32-bit protected mode, paging off, EBX = hvm_start_info.
; We build identity paging for the first 4 GiB, enter long mode and call kmain.

%include "layout.inc"

%define XEN_ELFNOTE_PHYS32_ENTRY 18

section .note.Xen note alloc noexec nowrite align=4
        dd 4                            ; name size
        dd 4                            ; descriptor size
        dd XEN_ELFNOTE_PHYS32_ENTRY
        db "Xen", 0
        dd pvh_start

section .pgtables nobits alloc noexec write
alignb 4096
global pml4, pdpt, page_dirs, low_pages
pml4:           resb 4096
pdpt:           resb 4096
page_dirs:      resb 4096 * 4
low_pages:      resb 4096               ; 4 KiB pages for the first 2 MiB, page 0 not present

section .bss nobits alloc noexec write
alignb 16
global boot_stack_top
boot_stack:     resb BOOT_STACK_SIZE
boot_stack_top:
global boot_start_info
boot_start_info: resq 1
boot_ebda_segment: resq 1
alignb 64
global percpu_area
percpu_area:    resb PERCPU_SIZE * MAX_CPUS

section .data
align 16
global gdt64, gdt64_ptr, gdt_address
gdt64:
        dq 0
        dq 0x00AF9A000000FFFF           ; GDT_CODE64: long mode, DPL0, present
        dq 0x00CF92000000FFFF           ; GDT_DATA: flat read/write
        dq 0x00CF9A000000FFFF           ; GDT_CODE32: for the AP trampoline
gdt64_tss:
        times (2 * MAX_CPUS) dq 0       ; GDT_TSS: one 16-byte TSS descriptor per CPU
gdt64_end:
gdt64_ptr:
        dw gdt64_end - gdt64 - 1
        dq gdt64

section .text
bits 32
global pvh_start, code32_pvh_start
pvh_start:
code32_pvh_start:
        cli
        cld
        mov esi, ebx                    ; hvm_start_info, kept in esi until long mode
        mov esp, boot_stack_top

        ; .bss (page tables included) is not cleared here: an ELF loader zero-fills
        ; p_memsz beyond p_filesz (QEMU's does), and clearing it again costs seconds
        ; on some hosts (kvm_pvm: 6 s with paging off, 1.3 s in long mode, for 12 MiB
        ; of first touches). selftest's array.zeroed check would catch a loader that did not.

        ; The BIOS data area lives in page 0, which paging leaves unmapped: keep the
        ; one word of it the kernels read (the EBDA segment, where ACPI's RSDP may be).
        movzx eax, word [BDA_EBDA_SEGMENT]
        mov [boot_ebda_segment], eax

        call build_identity_map

        ENTER_LONG_MODE
        lgdt [gdt64_ptr]
        jmp GDT_CODE64:code64_long_entry

; PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages.
build_identity_map:
        mov eax, pdpt
        or eax, PTE_P | PTE_RW
        mov [pml4], eax

        xor ecx, ecx
.pdpt_loop:
        mov eax, ecx
        shl eax, 12
        add eax, page_dirs
        or eax, PTE_P | PTE_RW
        mov [pdpt + ecx * 8], eax
        inc ecx
        cmp ecx, 4
        jb .pdpt_loop

        xor ecx, ecx                    ; ecx = 2 MiB page number 0..2047
.pd_loop:
        mov eax, ecx
        shl eax, 21
        or eax, PTE_P | PTE_RW | PTE_PS
        mov edx, ecx
        shr edx, 9                      ; which GiB
        cmp edx, MMIO_GIB_INDEX
        jne .cached
        or eax, PTE_PCD | PTE_PWT
.cached:
        mov [page_dirs + ecx * 8], eax
        mov dword [page_dirs + ecx * 8 + 4], 0
        inc ecx
        cmp ecx, 2048
        jb .pd_loop

        ; The first 2 MiB in 4 KiB pages without page 0, so that a null pointer
        ; dereference is a #PF with CR2 = 0 instead of reading the BIOS data area.
        mov dword [low_pages], 0
        mov dword [low_pages + 4], 0
        mov ecx, 1
.pt_loop:
        mov eax, ecx
        shl eax, 12
        or eax, PTE_P | PTE_RW
        mov [low_pages + ecx * 8], eax
        mov dword [low_pages + ecx * 8 + 4], 0
        inc ecx
        cmp ecx, 512
        jb .pt_loop
        mov eax, low_pages
        or eax, PTE_P | PTE_RW
        mov [page_dirs], eax
        ret

bits 64
global code64_long_entry
code64_long_entry:
        LOAD_LONG_MODE_SEGMENTS

        mov r12d, esi                   ; hvm_start_info (zero-extended)
        mov [rel boot_start_info], r12

        mov rsp, boot_stack_top

        ; BSP is CPU 0: its slot points at itself, index already zero.
        mov rax, percpu_area
        mov [rax], rax
        mov rdx, rax
        shr rdx, 32
        mov ecx, MSR_GS_BASE
        wrmsr

        extern kmain
        mov rdi, [boot_start_info]
        call kmain
        ; kmain exits through isa-debug-exit; returning means the report was lost.
        mov eax, 1
        out DEBUG_EXIT_PORT, eax
.dead:
        cli
        hlt
        jmp .dead

section .text
gdt_address:                            ; void* gdt_address(void), for the TSS descriptors
        lea rax, [rel gdt64]
        ret

global bios_ebda_segment
bios_ebda_segment:                      ; ushort bios_ebda_segment(void), read before paging
        mov rax, [rel boot_ebda_segment]
        ret
