// Locals are never zero-initialised by the prologue: RyuJIT does that with SSE
// stores, which the guest must not execute (shared/HOST-NOTES.md).
[module: System.Runtime.CompilerServices.SkipLocalsInit]
