; The light and rax-only lean entries' handlers for a kernel that exports none
; (lean_entry.asm): weak, so a C# handler exported under the same name takes its place when
; the kernel is linked. A light entry saves only rax, rcx and rdx, a rax-only one only rax,
; so these defaults save the other caller-saved registers themselves before they report that
; the entry ran without a handler.

%include "layout.inc"

section .text
bits 64

extern lean_entry_unset

%macro LIGHT_DEFAULT 1
global lean_light_handler_%1:function weak
lean_light_handler_%1:
        push rsi
        push rdi
        push r8
        push r9
        push r10
        push r11
        sub rsp, 8                      ; six pushes leave RSP 8 mod 16; the CALL wants 0
        call lean_entry_unset
        add rsp, 8
        pop r11
        pop r10
        pop r9
        pop r8
        pop rdi
        pop rsi
        ret
%endmacro

%assign n 0
%rep LEAN_LIGHT_ENTRIES
LIGHT_DEFAULT n
%assign n n + 1
%endrep

%macro RAX_DEFAULT 1
global lean_rax_handler_%1:function weak
lean_rax_handler_%1:
        push rcx
        push rdx
        push rsi
        push rdi
        push r8
        push r9
        push r10
        push r11
        sub rsp, 8                      ; eight pushes leave RSP 8 mod 16; the CALL wants 0
        call lean_entry_unset
        add rsp, 8
        pop r11
        pop r10
        pop r9
        pop r8
        pop rdi
        pop rsi
        pop rdx
        pop rcx
        ret
%endmacro

%assign n 0
%rep LEAN_RAX_ENTRIES
RAX_DEFAULT n
%assign n n + 1
%endrep
