; The light and rax-only lean entries' handlers for a kernel that exports none
; (lean_entry.asm): weak, so a C# handler exported under the same name takes its place when
; the kernel is linked. A light entry saves only rax, rcx and rdx, a rax-only one only rax,
; so these defaults save the other caller-saved registers themselves before they report that
; the entry ran without a handler.

%include "layout.inc"

section .text
bits 64

extern lean_entry_unset

%macro SAVE_NONE 0
%endmacro

%macro SAVE_RCX_RDX 0
        push rcx
        push rdx
%endmacro

%macro RESTORE_RCX_RDX 0
        pop rdx
        pop rcx
%endmacro

; The weak default lean_<family>_handler_<n>: FAMILY, N, and the macros that save and restore
; what that family's entry leaves unsaved besides rsi, rdi and r8 to r11 (nothing for a light
; entry; rcx and rdx for a rax-only one).
%macro UNSET_DEFAULT 4
global lean_%1_handler_%2:function weak
lean_%1_handler_%2:
        %3
        push rsi
        push rdi
        push r8
        push r9
        push r10
        push r11
        sub rsp, 8                      ; six or eight pushes leave RSP 8 mod 16; the CALL wants 0
        call lean_entry_unset
        add rsp, 8
        pop r11
        pop r10
        pop r9
        pop r8
        pop rdi
        pop rsi
        %4
        ret
%endmacro

%assign n 0
%rep LEAN_LIGHT_ENTRIES
UNSET_DEFAULT light, n, SAVE_NONE, SAVE_NONE
%assign n n + 1
%endrep

%assign n 0
%rep LEAN_RAX_ENTRIES
UNSET_DEFAULT rax, n, SAVE_RCX_RDX, RESTORE_RCX_RDX
%assign n n + 1
%endrep
