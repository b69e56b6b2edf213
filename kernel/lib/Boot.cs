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
            // Firmware (SeaBIOS on q35) leaves its last line unterminated: start ours fresh.
            Console.WriteLine("");
            CommandLine.Init(startInfo);
            Idt.Init();
            Tss.InitThisCpu();
            Idt.SetIst(Exceptions.DF, Tss.IstDoubleFault);
            Idt.SetIst(Exceptions.NMI, Tss.IstNmi);
            Idt.SetIst(Exceptions.MC, Tss.IstMachineCheck);
            int cpus = (int)CommandLine.GetInt("cpus", 1);
            Report.Begin(TestKernel.Name, cpus);
            CommandLine.Echo();
            if (!ModuleInit.Run(out string? problem))
            {
                Report.Check(false, "boot.module_init", problem);
                Report.Finish();
            }
            Tsc.Calibrate();
            Report.Info("tsc.source", Tsc.Source);
            Report.Metric("tsc.hz", (long)Tsc.Hz, "hz");
            if (!Smp.Start(cpus, out int arrived))
            {
                Report.CheckEqual("boot.cpus_online", (ulong)cpus, (ulong)arrived);
                Report.Finish();
            }
            TestKernel.Run();
            Report.Finish();
        }

        /// <summary>A managed runtime failure (cast, bounds, overflow) from corelib/RuntimeFailure.cs.</summary>
        [UnmanagedCallersOnly(EntryPoint = "rt_failure")]
        private static void RuntimeFailed(int why, void* returnAddress)
        {
            Report.CheckFullName(false, "runtime.failure", global::RuntimeFailure.Describe(why));
            Report.Finish();
        }
    }
}
