#!/usr/bin/env bash
# Builds main as it was before the engine (commit d60204e) with a tiny timing program for its L = 8 Monte Carlo loss, so
# `--quick` can time old and new in the same run, interleaved:  bash Benchmarks/old-main.sh [DIR]  (default /tmp/oldmain),
# then  dotnet run -c Release --project Benchmarks -- --quick --old-main DIR.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-/tmp/oldmain}"
[ -d "$dir" ] || git -C "$repo" worktree add --detach "$dir" d60204e
mkdir -p "$dir/OldBench"
cp "$repo/Benchmarks/OldMain/OldMainMcLoss.cs" "$dir/OldBench/Program.cs"
cat > "$dir/OldBench/OldBench.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><Optimize>true</Optimize></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="MathNet.Numerics" Version="5.0.0" />
    <ProjectReference Include="../Numerics/Numerics.csproj" />
  </ItemGroup>
</Project>
XML
dotnet build "$dir/OldBench/OldBench.csproj" -c Release -o "$dir/OldBench/out" >/dev/null
echo "$dir/OldBench/out/OldBench.dll"
