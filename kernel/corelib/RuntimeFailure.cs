using System.Runtime.InteropServices;

// A managed runtime failure (bounds check, overflow, cast) has nowhere to unwind to
// in the guest: hand it to the boot layer, which reports it as a FAIL and exits.
public static unsafe class RuntimeFailure
{
    public const int FeatureRemoved = 1;
    public const int Overflow = 2;
    public const int IndexOutOfRange = 3;
    public const int NullReference = 4;
    public const int DivideByZero = 5;
    public const int Cast = 6;
    public const int WriteBarrier = 7;
    public const int Argument = 8;
    public const int OutOfMemory = 9;

    [DllImport("*"), SuppressGCTransition]
    private static extern void rt_failure(int why, void* returnAddress);

    public static void Raise(int why) => rt_failure(why, null);

    public static string Describe(int why)
    {
        switch (why)
        {
            case FeatureRemoved: return "a runtime feature the guest does not have was called";
            case Overflow: return "arithmetic overflow";
            case IndexOutOfRange: return "index out of range";
            case NullReference: return "null reference";
            case DivideByZero: return "divide by zero";
            case Cast: return "type cast (not supported in the guest)";
            case WriteBarrier: return "managed reference copy (not supported in the guest)";
            case Argument: return "bad argument";
            case OutOfMemory: return "guest heap exhausted";
            default: return "unknown runtime failure";
        }
    }
}
