// Does nothing until stdin closes: bench/run-cost.sh reads its smaps_rollup meanwhile.
Console.OpenStandardInput().ReadByte();
