namespace System
{
    // Layout must match what ilc emits for frozen string literals:
    // MethodTable*, int length, then UTF-16 characters.
    public sealed class String
    {
#pragma warning disable 649 // both are written by ilc when it lays out literals
        private readonly int _length;
        private char _firstChar;
#pragma warning restore 649

        public int Length => _length;

        public unsafe char this[int index]
        {
            get
            {
                fixed (char* p = &_firstChar) return p[index];
            }
        }
    }
}
