return ImageTool.ImageToolCli.Run(args, Console.Out, Console.Error);
