namespace System
{
    // Arrays are laid out by ilc: MethodTable*, int length, padding, elements.
    public abstract class Array
    {
#pragma warning disable 649 // written by the allocator through a pointer
        private readonly int _length;
#pragma warning restore 649
        public int Length => _length;
    }

    // ilc's scanner requires the generic array helper type to exist.
    public class Array<T> : Array { }
}
