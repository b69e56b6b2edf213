// Locals are never zero-initialised by the prologue: RyuJIT does that with SSE
// stores, which the guest must not execute (docs/host-notes.md).
[module: System.Runtime.CompilerServices.SkipLocalsInit]
