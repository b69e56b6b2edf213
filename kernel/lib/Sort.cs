namespace Kernel
{
    /// <summary>In-place sort for sample arrays (insertion sort: samples are few, and it needs no memory).</summary>
    public static unsafe class Sort
    {
        public static void Ascending(ulong* a, int n)
        {
            for (int i = 1; i < n; i++)
            {
                ulong v = a[i];
                int j = i - 1;
                while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
                a[j + 1] = v;
            }
        }
    }
}
