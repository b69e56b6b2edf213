; Lean interrupt entries for benchmarks: a small pool of entries, each assigned to
; one vector at a time by LeanIdt (kernel/lib/LeanIdt.cs). An entry saves only the
; registers the SysV ABI lets a callee clobber (rax, rcx, rdx, rsi, rdi, r8-r11),
; calls the vector's C# handler directly, restores them and returns with IRETQ. The
; call's target is the handler itself: LeanIdt patches the rel32 of that CALL when it
; installs a handler, so there is no table lookup and no indirect call on the way.
;
; The light entries save less: only rax, rcx, rdx, the registers the handler they call may
; write (an EOI's WRMSR needs all three). Their CALL is fixed at link time to
; lean_light_handler_N, which a kernel exports from C# ([RuntimeExport("lean_light_handler_N")]);
; `imagetool check` fails the image if such a handler, or anything it calls, writes rsi, rdi
; or r8 to r11. Without one, the weak default of lean_light_default.asm saves those itself.
;
; The rax-only entries save one register, for a handler that writes rax alone (an xAPIC
; EOI is one MMIO store through a base address in rax); they call lean_rax_handler_N and the
; same check holds their handlers to rax.
;
; Stack: the CPU aligns RSP to 16 before pushing its five words (SDM vol. 3A 6.14.2),
; so RSP is 8 mod 16 after them; nine pushes make it 0 mod 16 at the CALL, as SysV
; asks; three pushes, or one, do the same for a light or rax-only entry. Only vectors without an error code
; (external interrupts) may use an entry.

%include "layout.inc"

%define LEAN_ENTRIES 8

; The interrupted RFLAGS is the third word the CPU pushed; IF is its bit 9, that is bit 1
; of its second byte, so one TEST of a byte reads it.
%define SAVED_RFLAGS_IF_BYTE (2 * 8 + 1)
%define RFLAGS_IF_IN_BYTE (1 << (9 - 8))
%define SAVED_REGISTERS 9

section .text
bits 64

; Where a CALL of an entry not yet installed lands: a handler was never installed.
extern lean_entry_unset
; Where an entry with the interrupted IF clear goes instead of its handler (LeanIdt.cs):
; a maskable interrupt cannot arrive then, so it is not the APIC's (MaskedDelivery.cs).
extern lean_entry_masked

; The registers a SysV callee may clobber: all an entry must keep for the interrupted code.
; SAVED_REGISTERS counts them.
%macro SAVE_CALLER_SAVED 0
        push rax
        push rcx
        push rdx
        push rsi
        push rdi
        push r8
        push r9
        push r10
        push r11
%endmacro

%macro RESTORE_CALLER_SAVED 0
        pop r11
        pop r10
        pop r9
        pop r8
        pop rdi
        pop rsi
        pop rdx
        pop rcx
        pop rax
%endmacro

%macro LEAN_ENTRY 1
align 16
lean_entry_%1:
        test byte [rsp + SAVED_RFLAGS_IF_BYTE], RFLAGS_IF_IN_BYTE
        jz lean_entry_masked_%1
        SAVE_CALLER_SAVED
lean_entry_call_%1:
        call lean_entry_unset           ; rel32 patched by LeanIdt.Install
        RESTORE_CALLER_SAVED
        iretq
lean_entry_masked_%1:
        SAVE_CALLER_SAVED
        mov edi, %1                     ; the entry, which LeanIdt maps to its vector
        mov rsi, [rsp + SAVED_REGISTERS * 8] ; the interrupted RIP
        call lean_entry_masked
        RESTORE_CALLER_SAVED
        iretq
%endmacro

%assign n 0
%rep LEAN_ENTRIES
LEAN_ENTRY n
%assign n n + 1
%endrep

; The three registers a light entry saves; LIGHT_SAVED counts them (odd, like nine, so the
; CALL stays 16-byte aligned).
%define LIGHT_SAVED 3
%macro SAVE_LIGHT 0
        push rax
        push rcx
        push rdx
%endmacro

%macro RESTORE_LIGHT 0
        pop rdx
        pop rcx
        pop rax
%endmacro

%macro SAVE_RAX 0
        push rax
%endmacro

%macro RESTORE_RAX 0
        pop rax
%endmacro

; An entry of a family whose CALL is linked to lean_<family>_handler_<n>: FAMILY, N, the
; entry's number in LeanIdt's numbering, and the macros that save and restore the registers
; the family's handlers may write.
%macro LEAN_FIXED_ENTRY 5
extern lean_%1_handler_%2
align 16
lean_%1_entry_%2:
        test byte [rsp + SAVED_RFLAGS_IF_BYTE], RFLAGS_IF_IN_BYTE
        jz lean_%1_masked_%2
        %4
        call lean_%1_handler_%2
        %5
        iretq
lean_%1_masked_%2:
        SAVE_CALLER_SAVED
        mov edi, %3
        mov rsi, [rsp + SAVED_REGISTERS * 8]
        call lean_entry_masked
        RESTORE_CALLER_SAVED
        iretq
%endmacro

; LeanIdt numbers the light entries after the patched ones, the rax-only ones after those.
%assign n 0
%rep LEAN_LIGHT_ENTRIES
LEAN_FIXED_ENTRY light, n, LEAN_ENTRIES + n, SAVE_LIGHT, RESTORE_LIGHT
%assign n n + 1
%endrep

%assign n 0
%rep LEAN_RAX_ENTRIES
LEAN_FIXED_ENTRY rax, n, LEAN_ENTRIES + LEAN_LIGHT_ENTRIES + n, SAVE_RAX, RESTORE_RAX
%assign n n + 1
%endrep

section .rodata
align 8
; struct { uint64 entry; uint64 callInstruction; } [LEAN_ENTRIES]
lean_entry_table:
%assign n 0
%rep LEAN_ENTRIES
        dq lean_entry_%+n, lean_entry_call_%+n
%assign n n + 1
%endrep

; uint64 entry[COUNT] of a family's entries, and uint64* lean_<family>_table_address(int* count)
%macro LEAN_FIXED_TABLE 2
section .rodata
align 8
lean_%1_table:
%assign n 0
%rep %2
        dq lean_%1_entry_%+n
%assign n n + 1
%endrep
section .text
global lean_%1_table_address
lean_%1_table_address:
        mov dword [rdi], %2
        lea rax, [rel lean_%1_table]
        ret
%endmacro

LEAN_FIXED_TABLE light, LEAN_LIGHT_ENTRIES
LEAN_FIXED_TABLE rax, LEAN_RAX_ENTRIES

section .text
global lean_entry_table_address         ; void* lean_entry_table_address(int* count)
lean_entry_table_address:
        mov dword [rdi], LEAN_ENTRIES
        lea rax, [rel lean_entry_table]
        ret
