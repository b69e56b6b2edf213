; Symbols that ilc-generated code expects from the NativeAOT runtime. The guest
; has no GC and no thread suspension, so these are minimal by design.

%include "layout.inc"

section .data
align 8
global RhpTrapThreads
RhpTrapThreads:         dd 0            ; never set: no thread ever needs suspending
align 8
global __security_cookie
__security_cookie:      dq 0x2B992DDFA232   ; any non-zero value: no attacker here

section .bss nobits alloc noexec write
alignb 4096
heap_base:      resb HEAP_SIZE
heap_end:
alignb 8
heap_next:      resq 1

section .text
bits 64

global RhpGcPoll
RhpGcPoll:
        ret

global RhpFallbackFailFast
RhpFallbackFailFast:
        extern rt_failure
        mov edi, 1
        mov rsi, [rsp]
        call rt_failure
.dead:  hlt
        jmp .dead

; void* heap_alloc(size_t size) -> zeroed memory or null. Lock-free for SMP.
global heap_alloc
heap_alloc:
        mov rax, rdi
        lock xadd [heap_next], rax      ; rax = old offset
        lea rdx, [rax + rdi]
        cmp rdx, HEAP_SIZE
        ja .full
        lea rax, [heap_base + rax]
        ret
.full:
        xor eax, eax
        ret

; UnmanagedCallersOnly entries (kmain, interrupt_dispatch) bracket their bodies
; with these to attach the thread to the runtime; the guest has no runtime thread.
global RhpReversePInvoke, RhpReversePInvokeReturn
RhpReversePInvoke:
RhpReversePInvokeReturn:
        ret

; The bounds of ilc's module list (linker/kernel.ld), for ModuleInit.cs.
global module_list_bounds                ; void module_list_bounds(void*** start, void*** end)
module_list_bounds:
        extern __modules_start, __modules_end
        lea rax, [rel __modules_start]
        mov [rdi], rax
        lea rax, [rel __modules_end]
        mov [rsi], rax
        ret
