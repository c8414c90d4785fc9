using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/Vision.Benchmarks -- --filter '*'         (every suite)
// dotnet run -c Release --project bench/Vision.Benchmarks -- --filter '*Tracker*' (one suite)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
