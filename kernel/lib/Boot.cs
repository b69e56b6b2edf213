using System.Runtime.InteropServices;

namespace Kernel
{
    /// <summary>C# entry from boot/pvh.asm on the bootstrap processor, in long mode.</summary>
    public static unsafe class Boot
    {
        [UnmanagedCallersOnly(EntryPoint = "kmain")]
        private static void KMain(byte* startInfo)
        {
            Serial.Init();
            CommandLine.Init(startInfo);
            Idt.Init();
            Report.Begin(TestKernel.Name, (int)CommandLine.GetInt("cpus", 1));
            CommandLine.Echo();
            if (!ModuleInit.Run(out string? problem))
            {
                Report.Check(false, "boot.module_init", problem);
                Report.Finish();
            }
            TestKernel.Run();
            Report.Finish();
        }

        /// <summary>A managed runtime failure (cast, bounds, overflow) from corelib/RuntimeFailure.cs.</summary>
        [UnmanagedCallersOnly(EntryPoint = "rt_failure")]
        private static void RuntimeFailed(int why, void* returnAddress)
        {
            Report.Check(false, "runtime.failure", global::RuntimeFailure.Describe(why));
            Report.Finish();
        }
    }
}
