; Instructions C# cannot express, as SysV functions called through
; [DllImport("*"), SuppressGCTransition]. Each is the bare instruction so that a
; benchmark sees only the instruction plus a call.

%include "layout.inc"

section .text
bits 64

; void cpu_cpuid(uint32 leaf, uint32 subleaf, uint32 out[4])
global cpu_cpuid
cpu_cpuid:
        push rbx
        mov eax, edi
        mov ecx, esi
        mov r8, rdx
        cpuid
        mov [r8], eax
        mov [r8 + 4], ebx
        mov [r8 + 8], ecx
        mov [r8 + 12], edx
        pop rbx
        ret

global cpu_rdmsr                        ; uint64 cpu_rdmsr(uint32 msr)
cpu_rdmsr:
        mov ecx, edi
        rdmsr
        shl rdx, 32
        or rax, rdx
        ret

global cpu_wrmsr                        ; void cpu_wrmsr(uint32 msr, uint64 value)
cpu_wrmsr:
        mov ecx, edi
        mov eax, esi
        mov rdx, rsi
        shr rdx, 32
        wrmsr
        ret

global cpu_rdtsc                        ; unfenced: for coarse deadlines
cpu_rdtsc:
        rdtsc
        shl rdx, 32
        or rax, rdx
        ret

; Start of a timed region: RDTSC, then LFENCE so the timed instructions do not
; start ahead of the read (SDM vol. 2B RDTSC). What ran before may still be
; retiring; it can only be counted in, never left out.
global cpu_rdtsc_begin
cpu_rdtsc_begin:
        RDTSC_BEGIN
        ret

; End of a timed region: LFENCE, then RDTSC, so the read waits for the timed
; instructions. Nothing after it needs ordering: the caller only subtracts. RDTSCP
; would do the same, but not every virtual CPU offers it (CPUID.80000001H:EDX.RDTSCP).
global cpu_rdtsc_end
cpu_rdtsc_end:
        RDTSC_END
        ret

global cpu_inb, cpu_inw, cpu_inl, cpu_outb, cpu_outw, cpu_outl
cpu_inb:
        mov edx, edi
        xor eax, eax
        in al, dx
        ret
cpu_inw:
        mov edx, edi
        xor eax, eax
        in ax, dx
        ret
cpu_inl:
        mov edx, edi
        in eax, dx
        ret
cpu_outb:
        mov edx, edi
        mov eax, esi
        out dx, al
        ret
cpu_outw:
        mov edx, edi
        mov eax, esi
        out dx, ax
        ret
cpu_outl:
        mov edx, edi
        mov eax, esi
        out dx, eax
        ret

; void cpu_outsb(uint16 port, const byte* data, uint32 count): one REP OUTSB, which KVM
; hands to the VMM as one exit for the whole string rather than one per byte. The SysV
; ABI has DF clear at every call.
global cpu_outsb
cpu_outsb:
        mov ecx, edx
        mov edx, edi
        rep outsb
        ret

global cpu_hlt, cpu_pause, cpu_cli, cpu_sti, cpu_sti_hlt, cpu_sti_nop
cpu_hlt:
        hlt
        ret
cpu_pause:
        pause
        ret
cpu_cli:
        cli
        ret
cpu_sti:
        sti
        ret
; STI's one-instruction interrupt shadow makes "sti; hlt" race-free: an interrupt
; pending at STI is taken after HLT starts, so the wake-up is never lost.
cpu_sti_hlt:
        sti
        hlt
        ret
; Opens a window for a pending interrupt to be taken, then closes it again.
cpu_sti_nop:
        sti
        nop
        cli
        ret

global cpu_read_rflags
cpu_read_rflags:
        pushfq
        pop rax
        ret

global cpu_read_cr0, cpu_read_cr2, cpu_read_cr3, cpu_read_cr4
cpu_read_cr0:
        mov rax, cr0
        ret
cpu_read_cr2:
        mov rax, cr2
        ret
cpu_read_cr3:
        mov rax, cr3
        ret
cpu_read_cr4:
        mov rax, cr4
        ret

global cpu_write_cr0, cpu_write_cr4
cpu_write_cr0:
        mov cr0, rdi
        ret
cpu_write_cr4:
        mov cr4, rdi
        ret

global cpu_lidt                         ; void cpu_lidt(void* descriptor)
cpu_lidt:
        lidt [rdi]
        ret

global cpu_ltr                          ; void cpu_ltr(uint16 selector)
cpu_ltr:
        ltr di
        ret

; MMIO is done here rather than by C# pointer deref so that each access is exactly
; one 32-bit load or store, never merged, split or reordered by the compiler.
global mmio_read32, mmio_write32
mmio_read32:
        mov eax, [rdi]
        ret
mmio_write32:
        mov [rdi], esi
        ret

global cpu_mfence
cpu_mfence:
        mfence
        ret

; Atomics for cross-CPU flags.
global atomic_xadd32, atomic_cmpxchg32, atomic_btr64
atomic_xadd32:                          ; int32 atomic_xadd32(int32* p, int32 add) -> old
        mov eax, esi
        lock xadd [rdi], eax
        ret
atomic_cmpxchg32:                       ; int32 atomic_cmpxchg32(int32* p, int32 expected, int32 desired) -> old
        mov eax, esi
        lock cmpxchg [rdi], edx
        ret
atomic_btr64:                           ; int32 atomic_btr64(uint64* p, int32 bit) -> old bit
        xor eax, eax
        lock btr qword [rdi], rsi
        setc al
        ret

; void debug_exit(uint32 value): QEMU exits with status (value << 1) | 1.
global debug_exit
debug_exit:
        mov eax, edi
        out DEBUG_EXIT_PORT, eax
        ; Without isa-debug-exit the out does nothing: stop here for the runner to time out.
.dead:
        cli
        hlt
        jmp .dead

global percpu_self                      ; void* percpu_self(void)
percpu_self:
        mov rax, [gs:0]
        ret

; Guarded MSR access: if the instruction faults (#GP for a reserved MSR or bits),
; the dispatcher records the exception and resumes at .fault, so a test can
; assert on the fault instead of dying from it. Returns -1 if no fault, else the vector.
global cpu_rdmsr_safe                   ; int cpu_rdmsr_safe(uint32 msr, uint64* value)
cpu_rdmsr_safe:
        lea rax, [rel .fault]
        mov [gs:PERCPU_RESUME_RIP], rax
        mov ecx, edi
        rdmsr
        mov qword [gs:PERCPU_RESUME_RIP], 0
        shl rdx, 32
        or rax, rdx
        mov [rsi], rax
        mov eax, -1
        ret
.fault:
        mov eax, [gs:PERCPU_LAST_VECTOR]
        ret

global cpu_wrmsr_safe                   ; int cpu_wrmsr_safe(uint32 msr, uint64 value)
cpu_wrmsr_safe:
        lea rax, [rel .fault]
        mov [gs:PERCPU_RESUME_RIP], rax
        mov ecx, edi
        mov eax, esi
        mov rdx, rsi
        shr rdx, 32
        wrmsr
        mov qword [gs:PERCPU_RESUME_RIP], 0
        mov eax, -1
        ret
.fault:
        mov eax, [gs:PERCPU_LAST_VECTOR]
        ret

; void cpu_spin_loop(uint64 n): n iterations of DEC/JNZ, one cycle each on hardware.
; Timed by tests/cpuid to tell a guest that runs natively from one that a host
; runs through an instruction emulator.
global cpu_spin_loop
cpu_spin_loop:
        test rdi, rdi
        jz .done
.loop:
        dec rdi
        jnz .loop
.done:
        ret
