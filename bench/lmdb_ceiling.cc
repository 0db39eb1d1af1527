// lmdb_ceiling: raw LMDB throughput for ~1 KB values, the storage ceiling a
// DynamoDB server on LMDB cannot beat. Puts run one write transaction per
// put, as a server committing each request does, with MDB_NOSYNC (the
// "fast durability" mode) and, separately, with a sync per commit (durable);
// gets run one read transaction per get on random existing keys.
//
//   lmdb_ceiling [--seconds 2] [--dir DIR]    prints JSON lines
#include <lmdb.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>

namespace {

using Clock = std::chrono::steady_clock;

void Check(int rc, const char* what) {
  if (rc != 0) {
    std::fprintf(stderr, "%s: %s\n", what, mdb_strerror(rc));
    std::exit(1);
  }
}

double Elapsed(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void KeyFor(long i, char* out) {
  // Keys shaped like the server's: a partition and a sort key, ~24 bytes.
  std::snprintf(out, 32, "bench\x01p%07ld\x01s%03ld", i / 100, i % 100);
}

struct Env {
  MDB_env* env = nullptr;
  MDB_dbi dbi = 0;
  Env(const std::string& dir, unsigned flags) {
    Check(mdb_env_create(&env), "env_create");
    Check(mdb_env_set_mapsize(env, size_t{8} << 30), "set_mapsize");
    Check(mdb_env_open(env, dir.c_str(), flags, 0644), "env_open");
    MDB_txn* txn;
    Check(mdb_txn_begin(env, nullptr, 0, &txn), "txn_begin");
    Check(mdb_dbi_open(txn, nullptr, 0, &dbi), "dbi_open");
    Check(mdb_txn_commit(txn), "commit");
  }
  ~Env() { mdb_env_close(env); }
};

// Puts for `seconds` into fresh keys, one transaction each; returns count.
long Puts(Env& e, double seconds, long first, const std::string& value) {
  auto start = Clock::now();
  long n = 0;
  char key[32];
  while (Elapsed(start) < seconds) {
    for (int batch = 0; batch < 64; ++batch, ++n) {
      KeyFor(first + n, key);
      MDB_txn* txn;
      Check(mdb_txn_begin(e.env, nullptr, 0, &txn), "txn_begin");
      MDB_val k{std::strlen(key), key};
      MDB_val v{value.size(), const_cast<char*>(value.data())};
      Check(mdb_put(txn, e.dbi, &k, &v, 0), "put");
      Check(mdb_txn_commit(txn), "commit");
    }
  }
  return n;
}

void Print(const char* name, long ops, double seconds) {
  std::printf(
      "{\"phase\":\"%s\",\"ops\":%ld,\"seconds\":%.3f,"
      "\"ops_per_s\":%.1f}\n",
      name, ops, seconds, ops / seconds);
  std::fprintf(stderr, "%-16s %12.1f ops/s\n", name, ops / seconds);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 2;
  std::string dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--seconds") == 0)
      seconds = std::atof(argv[i + 1]);
    if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
  }
  bool own_dir = dir.empty();
  if (own_dir) {
    char tmpl[] = "/tmp/lmdb-ceiling-XXXXXX";
    dir = mkdtemp(tmpl);
  }
  std::string value(1000, 'x');
  for (size_t i = 0; i < value.size(); ++i) value[i] = 'a' + i % 26;
  long loaded = 0;
  {
    Env e(dir, MDB_NOSYNC | MDB_NOTLS);
    auto start = Clock::now();
    long n = Puts(e, seconds, 0, value);
    Print("put_nosync", n, Elapsed(start));
    loaded = n;
    std::mt19937_64 rng(1);
    std::uniform_int_distribution<long> pick(0, loaded - 1);
    char key[32];
    long gets = 0;
    size_t bytes = 0;
    start = Clock::now();
    while (Elapsed(start) < seconds) {
      for (int batch = 0; batch < 256; ++batch, ++gets) {
        KeyFor(pick(rng), key);
        MDB_txn* txn;
        Check(mdb_txn_begin(e.env, nullptr, MDB_RDONLY, &txn), "txn_begin");
        MDB_val k{std::strlen(key), key};
        MDB_val v;
        Check(mdb_get(txn, e.dbi, &k, &v), "get");
        bytes += v.mv_size;
        mdb_txn_abort(txn);
      }
    }
    Print("get", gets, Elapsed(start));
    if (bytes == 0) return 1;
  }
  {
    // Durable: each commit fsyncs; a fraction of the time is plenty.
    Env e(dir, MDB_NOTLS);
    auto start = Clock::now();
    long n = Puts(e, seconds / 2, loaded, value);
    Print("put_sync", n, Elapsed(start));
  }
  if (own_dir) std::filesystem::remove_all(dir);
  return 0;
}
