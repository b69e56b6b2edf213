return await Runner.Cli.RunnerCli.RunAsync(args);
