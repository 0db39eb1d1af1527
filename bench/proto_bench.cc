// Prototypes of proposed optimisations, measured without touching the
// server: each benchmark pairs what the server does today with the
// proposed replacement.
//
//   build/proto_bench
//
// 1. The x-amz-crc32 response header: server/crc32.cc used
//    boost::crc_32_type (one table lookup per byte), then zlib's crc32(),
//    the same CRC-32 (IEEE, reflected) computed several bytes at a time;
//    it now folds with PCLMULQDQ, measured by BM_Crc32Server (only when
//    this target can see server/crc32.h and links server/crc32.cc).
// 2. RapidJSON's Writer escaping strings: this file is compiled with
//    RAPIDJSON_SSE2 (SSE2 is part of the x86-64 baseline), which scans 16
//    bytes at a time for characters to escape; micro_bench's
//    BM_RapidJsonWriteString is the same loop as the server builds it.
#if defined(__x86_64__)
#define RAPIDJSON_SSE2
#endif
#include <benchmark/benchmark.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <zlib.h>

#include <boost/crc.hpp>
#include <cstdlib>
#include <string>

// The server's Crc32 (PCLMULQDQ folding) when this target is built with the
// source root on its include path and server/crc32.cc among its sources.
#if __has_include("server/crc32.h")
#include "server/crc32.h"
#define PROTO_BENCH_HAS_DDB_CRC32 1
#endif

namespace {

std::string Text(size_t n) {
  std::string s(n, 'x');
  for (size_t i = 0; i < n; ++i) s[i] = 'a' + i % 26;
  return s;
}

uint32_t BoostCrc(const std::string& s) {
  boost::crc_32_type crc;
  crc.process_bytes(s.data(), s.size());
  return crc.checksum();
}

uint32_t ZlibCrc(const std::string& s) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data()), s.size()));
}

void BM_Crc32Boost(benchmark::State& state) {
  std::string s = Text(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(BoostCrc(s));
  state.SetBytesProcessed(state.iterations() * s.size());
}
BENCHMARK(BM_Crc32Boost)->Arg(1024)->Arg(100 * 1024)->Arg(1024 * 1024);

void BM_Crc32Zlib(benchmark::State& state) {
  std::string s = Text(state.range(0));
  if (ZlibCrc(s) != BoostCrc(s)) std::abort();  // same checksum
  for (auto _ : state) benchmark::DoNotOptimize(ZlibCrc(s));
  state.SetBytesProcessed(state.iterations() * s.size());
}
BENCHMARK(BM_Crc32Zlib)->Arg(1024)->Arg(100 * 1024)->Arg(1024 * 1024);

#ifdef PROTO_BENCH_HAS_DDB_CRC32
// ddb::Crc32: carry-less multiplication folding where the CPU has PCLMULQDQ
// (zlib otherwise, and below 64 bytes).
void BM_Crc32Server(benchmark::State& state) {
  std::string s = Text(state.range(0));
  if (ddb::Crc32(s) != ZlibCrc(s)) std::abort();  // same checksum
  state.SetLabel(ddb::detail::HasClmul() ? "pclmul" : "zlib fallback");
  for (auto _ : state) benchmark::DoNotOptimize(ddb::Crc32(s));
  state.SetBytesProcessed(state.iterations() * s.size());
}
BENCHMARK(BM_Crc32Server)->Arg(1024)->Arg(100 * 1024)->Arg(1024 * 1024);
#endif

void BM_RapidJsonWriteStringSse2(benchmark::State& state) {
  std::string s = Text(1000);
  for (auto _ : state) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    for (int i = 0; i < 100; ++i) writer.String(s.data(), s.size());
    benchmark::DoNotOptimize(buffer.GetString());
  }
  state.SetBytesProcessed(state.iterations() * 100 * s.size());
}
BENCHMARK(BM_RapidJsonWriteStringSse2);

}  // namespace

BENCHMARK_MAIN();
