namespace Kernel
{
    /// <summary>
    /// In-place heapsort for sample arrays: O(n log n) with no memory and no recursion.
    /// (Insertion sort was tried first: on hosts that run the guest through KVM's
    /// instruction emulator, its O(n²) took seconds for 1000 samples.)
    /// </summary>
    public static unsafe class Sort
    {
        public static void Ascending(ulong* a, int n)
        {
            for (int start = n / 2 - 1; start >= 0; start--) SiftDown(a, start, n);
            for (int end = n - 1; end > 0; end--)
            {
                ulong top = a[0];
                a[0] = a[end];
                a[end] = top;
                SiftDown(a, 0, end);
            }
        }

        private static void SiftDown(ulong* a, int root, int n)
        {
            ulong value = a[root];
            for (;;)
            {
                int child = 2 * root + 1;
                if (child >= n) break;
                if (child + 1 < n && a[child + 1] > a[child]) child++;
                if (a[child] <= value) break;
                a[root] = a[child];
                root = child;
            }
            a[root] = value;
        }
    }
}
