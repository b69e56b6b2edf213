Runner.Cli.SteadyJit.ReexecIfMeasuring(args);
return await Runner.Cli.RunnerCli.RunAsync(args);
