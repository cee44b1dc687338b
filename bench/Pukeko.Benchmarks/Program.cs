using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Pukeko.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
