; The two APIC operations of an interrupt round trip, EOI and the ICR write, through
; entries chosen once per APIC mode: apic_eoi and apic_send_ipi jump through a
; pointer that apic_entries_select (called by Apic.SetMode) points at the xAPIC MMIO
; code or the x2APIC WRMSR code, so neither tests the mode each time. The two are
; local labels of each entry, so `runner disasm <test> apic_eoi` shows both.

%include "layout.inc"

%define X2APIC_EOI_MSR  0x80B
%define X2APIC_ICR_MSR  0x830
%define XAPIC_EOI       0xB0            ; offsets in the xAPIC register page
%define XAPIC_ICR_LOW   0x300
%define XAPIC_ICR_HIGH  0x310
%define XAPIC_DEST_SHIFT 24             ; ICR_HIGH bits 31:24 (SDM vol. 3A 11.6.1)

section .data
align 8
apic_eoi_target:        dq apic_eoi.xapic
apic_send_ipi_target:   dq apic_send_ipi.xapic
apic_xapic_base:        dq 0xFEE00000

section .text
bits 64

; void apic_eoi(void): write 0 to EOI (SDM vol. 3A 11.8.5).
global apic_eoi
apic_eoi:
        jmp [rel apic_eoi_target]

.xapic:
        mov rax, [rel apic_xapic_base]
        mov dword [rax + XAPIC_EOI], 0
        ret

.x2apic:
        mov ecx, X2APIC_EOI_MSR
        xor eax, eax
        xor edx, edx
        wrmsr
        ret

; void apic_eoi_x2apic(void), apic_eoi_xapic(void): the EOI of one mode, for a handler
; chosen once for that mode (tests/ipi installs one per mode): apic_eoi's mode code
; without the jump through the pointer.
global apic_eoi_x2apic
apic_eoi_x2apic:
        mov ecx, X2APIC_EOI_MSR
        xor eax, eax
        xor edx, edx
        wrmsr
        ret

global apic_eoi_xapic
apic_eoi_xapic:
        mov rax, [rel apic_xapic_base]
        mov dword [rax + XAPIC_EOI], 0
        ret

; void apic_send_ipi(uint32 destination, uint32 icrLow): the ICR write that sends,
; without waiting for delivery status. xAPIC: ICR_HIGH then ICR_LOW (the caller keeps
; interrupts off between them if a handler may send too); x2APIC: one WRMSR, after
; MFENCE because WRMSR to the ICR does not order earlier stores (SDM vol. 3A 11.12.3).
global apic_send_ipi
apic_send_ipi:
        jmp [rel apic_send_ipi_target]

.xapic:
        mov rax, [rel apic_xapic_base]
        shl edi, XAPIC_DEST_SHIFT
        mov [rax + XAPIC_ICR_HIGH], edi
        mov [rax + XAPIC_ICR_LOW], esi
        ret

.x2apic:
        mfence
        mov edx, edi
        mov eax, esi
        mov ecx, X2APIC_ICR_MSR
        wrmsr
        ret

; void apic_entries_select(int x2apic, uint64 xapicBase)
global apic_entries_select
apic_entries_select:
        mov [rel apic_xapic_base], rsi
        lea rax, [rel apic_eoi.xapic]
        lea rdx, [rel apic_eoi.x2apic]
        test edi, edi
        cmovnz rax, rdx
        mov [rel apic_eoi_target], rax
        lea rax, [rel apic_send_ipi.xapic]
        lea rdx, [rel apic_send_ipi.x2apic]
        test edi, edi
        cmovnz rax, rdx
        mov [rel apic_send_ipi_target], rax
        ret
