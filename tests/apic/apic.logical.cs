using Kernel;

/// <summary>Logical destinations between CPUs: the xAPIC flat model, x2APIC clusters, and lowest-priority arbitration (SDM 11.6.2.2, 11.6.2.4).</summary>
internal static unsafe partial class TestKernel
{
    /// <summary>On an AP (xAPIC): flat logical ID = bit (cpu index) of LDR[31:24].</summary>
    private static void ApSetFlatLdr(void* arg)
    {
        int me = Smp.CurrentCpu;
        Apic.Write(ApicRegisters.Dfr, ApicRegisters.DfrFlat);
        Apic.Write(ApicRegisters.Ldr, (1u << me) << ApicRegisters.XApicLdrShift);
        s_apLdr.Value[me] = Apic.Ldr;
    }

    private static void LogicalDestination(int cpus, int last)
    {
        if (s_mode == ApicMode.XApic)
        {
            // Flat model: 8 bits of logical ID, one per CPU index (first 8 CPUs).
            const int flatCpus = 8;
            int n = cpus < flatCpus ? cpus : flatCpus;
            bool setOk = true;
            for (int c = 1; c < n; c++) setOk &= Smp.OnCpu(c, &ApSetFlatLdr, null);
            Apic.Write(ApicRegisters.Dfr, ApicRegisters.DfrFlat);
            uint bspLdr = Apic.Ldr;
            Apic.Write(ApicRegisters.Ldr, 1u << ApicRegisters.XApicLdrShift);
            uint mask = 0;
            for (int c = 1; c < n; c++) mask |= 1u << c;
            ClearCounts();
            bool ok = setOk && ApReceivers.Start(1, last, ReceiverUs);
            if (ok)
            {
                Apic.SendIpi(mask, VCross, ApicRegisters.IcrFixed, ApicRegisters.IcrLogical, ApicRegisters.IcrNoShorthand);
                fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, n - 1, true);
                for (int c = 0; c < cpus; c++) ok &= s_hits.Value[c] == (c >= 1 && c < n ? 1 : 0);
            }
            ApReceivers.Stop(1, last);
            Report.Check(ok, "logical_flat", "a flat logical IPI to every AP did not reach each exactly once (and not this CPU)");
            // The same set and this CPU (flat logical bit 0).
            if (setOk) LowestPriority(mask | 1u, mask | 1u, cpus, last);
            Apic.Write(ApicRegisters.Ldr, bspLdr);
        }
        else
        {
            // Cluster model: destination = the target's LDR (cluster in 31:16, one bit in 15:0).
            bool ok = true;
            for (int c = 1; c <= last; c++)
            {
                ClearCounts();
                if (!ApReceivers.Start(c, c, ReceiverUs)) { ok = false; ApReceivers.Stop(c, c); continue; }
                Apic.SendIpi(s_apLdr.Value[c], VCross, ApicRegisters.IcrFixed, ApicRegisters.IcrLogical, ApicRegisters.IcrNoShorthand);
                fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, 1, true);
                for (int d = 0; d < cpus; d++) ok &= s_hits.Value[d] == (d == c ? 1 : 0);
                ApReceivers.Stop(c, c);
            }
            Report.Check(ok, "logical_cluster", "an x2APIC logical IPI to an AP's LDR did not reach exactly that AP once");

            // Every CPU of this CPU's cluster (x2APIC logical destinations cannot span clusters).
            uint bspLdr = Apic.Ldr, cluster = bspLdr & ApicRegisters.X2ApicLdrClusterMask, destination = bspLdr;
            ulong members = 1;
            for (int c = 1; c <= last; c++)
            {
                if ((s_apLdr.Value[c] & ApicRegisters.X2ApicLdrClusterMask) != cluster) continue;
                destination |= s_apLdr.Value[c];
                members |= 1ul << c;
            }
            LowestPriority(destination, members, cpus, last);
        }
    }

    /// <summary>
    /// A lowest-priority IPI to a logical set is accepted by exactly one CPU of the set (SDM
    /// 11.6.2.4: which one is model specific, and KVM may pick by vector hash, so only the
    /// count is checked). <paramref name="members"/> has bit c set for each CPU index c in the set.
    /// </summary>
    private static void LowestPriority(uint destination, ulong members, int cpus, int last)
    {
        ClearCounts();
        bool ok = ApReceivers.Start(1, last, ReceiverUs);
        int inSet = 0, outside = 0;
        if (ok)
        {
            Apic.SendIpi(destination, VCross, ApicRegisters.IcrLowestPriority, ApicRegisters.IcrLogical, ApicRegisters.IcrNoShorthand);
            // Waits for the first, then listens for a second that must not come.
            fixed (PerCpuInts* hits = &s_hits) WaitHits(hits, cpus, 1, true);
            for (int c = 0; c < cpus; c++)
            {
                if ((members & (1ul << c)) != 0) inSet += s_hits.Value[c];
                else outside += s_hits.Value[c];
            }
        }
        ApReceivers.Stop(1, last);
        if (!ok) { Report.Check(false, "lowest_priority_one_of_set", "an AP never reported ready to receive"); return; }
        Report.CheckEqual("lowest_priority_one_of_set", 1, (ulong)inSet);
        Report.CheckEqual("lowest_priority_none_outside_set", 0, (ulong)outside);
    }
}
