namespace Kernel
{
    /// <summary>
    /// A test kernel's sections as a table, one row each, run in order in one boot:
    /// kvm-unit-tests' `struct test` table of x86/vmexit.c for checks (<see cref="BenchSuite"/>
    /// is the one for figures). A row is (name, function, precondition): the precondition
    /// returns null, or why the section cannot run here, and then the row is reported as
    /// `#kt skip KERNEL.NAME reason` (counted as skipped) without running. A kernel declares
    /// its table as a list of calls, each row running as it is reached, so no name has to be
    /// kept in memory.
    ///
    /// While a <see cref="Case"/> runs, its lines are named relative to it (the report prefix,
    /// ReportScope.cs): in the apic kernel's `timer` row, `Report.Check(ok, "periodic_median_on_time")`
    /// writes `apic.timer.periodic_median_on_time`. A <see cref="Group"/> row's lines are named
    /// relative to the kernel: a row that writes several sections (idt's `faults`: `idt.de`,
    /// `idt.ud`, `idt.ist.*`). A <see cref="Require"/> row sets up what the rest needs; it
    /// always runs, and when it fails every later row is reported skipped.
    ///
    /// Command line: only=a,b runs just these rows (and the Require rows); a row left out
    /// reports nothing, as if the kernel had no such row. A name the table lacks FAILs the run.
    /// </summary>
    public static unsafe class TestSuite
    {
        private const string AfterFailedSetUp =
            "not run: a set-up section before it failed (its failed check says why), and this one needs what it sets up";
        /// <summary>Longest only= value echoed when it names something the table lacks.</summary>
        private const int MaxOnlyEcho = 512;

        private static int s_selected, s_stopped;

        /// <summary>Starts the table: every line from here is named `KERNEL.NAME`.</summary>
        public static void Begin(string kernel)
        {
            s_selected = s_stopped = 0;
            Report.Scope(kernel);
        }

        /// <summary>Whether only= is absent or names this row.</summary>
        private static bool Selected(string name) => !CommandLine.Has("only") || CommandLine.ListHas("only", name);

        /// <summary>A row whose lines are named `KERNEL.NAME.line`. <paramref name="precondition"/> may be null.</summary>
        public static void Case(string name, delegate*<void> run, delegate*<string?> precondition) =>
            Row(name, run, precondition, true);

        /// <summary>A row whose lines are named `KERNEL.line`: it writes more than one section.</summary>
        public static void Group(string name, delegate*<void> run, delegate*<string?> precondition) =>
            Row(name, run, precondition, false);

        /// <summary>
        /// A set-up row (lines `KERNEL.NAME.line`): runs whatever only= says, as the rows after
        /// it need it. False from <paramref name="run"/> reports every later row skipped.
        /// </summary>
        public static void Require(string name, delegate*<bool> run)
        {
            if (CommandLine.ListHas("only", name)) s_selected++;
            if (s_stopped != 0) { Report.Skip(name, AfterFailedSetUp); return; }
            Report.Section(name);
            bool ok = run();
            Report.Section(null);
            if (!ok) s_stopped = 1;
        }

        /// <summary>Whether a Require row failed: a kernel's lines between rows can stop too.</summary>
        public static bool Stopped => s_stopped != 0;

        private static void Row(string name, delegate*<void> run, delegate*<string?> precondition, bool ownSection)
        {
            if (!Selected(name)) return;
            if (CommandLine.Has("only")) s_selected++;
            if (s_stopped != 0) { Report.Skip(name, AfterFailedSetUp); return; }
            string? skip = precondition != null ? precondition() : null;
            if (skip != null) { Report.Skip(name, skip); return; }
            if (ownSection) Report.Section(name);
            run();
            Report.Section(null);
        }

        /// <summary>Ends the table: fails when only= named a row it lacks, then names lines in full again.</summary>
        public static void Finish()
        {
            Report.Section(null);
            if (CommandLine.Has("only") && s_selected != CommandLine.ListLength("only"))
            {
                Report.Info("only", "", "", CommandLine.ValueOf("only"), MaxOnlyEcho);
                Report.Check(false, "only_known", "only= names a row this kernel does not have (the info line before this one echoes the list)");
            }
            Report.Scope(null);
        }
    }
}
