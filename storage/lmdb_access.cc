#include "storage/lmdb_access.h"

#include "storage/coding.h"
#include "storage/index_codec.h"
#include "storage/key_codec.h"
#include "storage/storage_impl.h"

namespace ddb::storage_internal {
namespace {

// A failed LMDB write leaves the transaction unusable; a shared one then
// fails as a whole (writer.cc), so the log learns of it.
[[noreturn]] void FailWrite(const Writes& w, int rc, const char* what) {
  if (w.undo != nullptr) w.undo->MarkBroken();
  Check(rc, what, mdb_txn_env(w.txn));
  throw std::logic_error("storage: Check accepted a failed write");
}

// Records `key`'s current value (or its absence) in the undo log.
void RecordOld(const Writes& w, MDB_dbi dbi, std::string_view key) {
  MDB_val k = ToVal(key);
  MDB_val old;
  const int rc = mdb_get(w.txn, dbi, &k, &old);
  if (rc == MDB_NOTFOUND) {
    w.undo->Record(dbi, key, nullptr);
    return;
  }
  Check(rc, "read");
  const std::string_view value = FromVal(old);
  w.undo->Record(dbi, key, &value);
}

}  // namespace

MDB_val ToVal(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

std::string_view FromVal(const MDB_val& v) {
  return {static_cast<const char*>(v.mv_data), v.mv_size};
}

bool Get(MDB_txn* txn, MDB_dbi dbi, std::string_view key,
         std::string_view* value) {
  MDB_val k = ToVal(key);
  MDB_val v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  Check(rc, "read");
  *value = FromVal(v);
  return true;
}

int Put(const Writes& w, MDB_dbi dbi, std::string_view key,
        std::string_view value, unsigned flags, const Replacing& replacing) {
  const bool no_overwrite = (flags & MDB_NOOVERWRITE) != 0;
  // A key MDB_NOOVERWRITE writes was absent, so no lookup is needed.
  if (w.undo != nullptr && !no_overwrite &&
      (!replacing.once_per_job || w.undo->FirstChange(dbi, key))) {
    if (!replacing.known) {
      RecordOld(w, dbi, key);
    } else {
      w.undo->Record(dbi, key, replacing.stored ? &*replacing.stored : nullptr);
    }
  }
  MDB_val k = ToVal(key);
  MDB_val v = ToVal(value);
  const int rc = mdb_put(w.txn, dbi, &k, &v, flags);
  if (rc == MDB_KEYEXIST && no_overwrite) return rc;
  if (rc != MDB_SUCCESS) FailWrite(w, rc, "write");
  if (w.undo != nullptr) {
    if (no_overwrite) w.undo->Record(dbi, key, nullptr);
    w.undo->AddWritten(key.size() + value.size());
  }
  return rc;
}

bool Del(const Writes& w, MDB_dbi dbi, std::string_view key) {
  if (w.undo != nullptr) RecordOld(w, dbi, key);
  MDB_val k = ToVal(key);
  const int rc = mdb_del(w.txn, dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != MDB_SUCCESS) FailWrite(w, rc, "delete");
  return true;
}

std::string StatsKey(uint64_t table_id) { return TableKeyPrefix(table_id); }

std::string IndexStatsKey(uint64_t table_id, uint32_t index_id) {
  return IndexKeyPrefix(table_id, index_id);
}

TableStats ReadStats(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
  TableStats stats;
  std::string_view value;
  if (Get(txn, dbi, key, &value)) {
    if (value.size() != 16) throw std::runtime_error("corrupt table stats");
    stats.item_count = DecodeFixed64BE(value.data());
    stats.size_bytes = DecodeFixed64BE(value.data() + 8);
  }
  return stats;
}

void WriteStats(const Writes& w, MDB_dbi dbi, std::string_view key,
                const TableStats& stats) {
  std::string encoded;
  AppendFixed64BE(stats.item_count, &encoded);
  AppendFixed64BE(stats.size_bytes, &encoded);
  Put(w, dbi, key, encoded, 0, Replacing{.once_per_job = true});
}

void DeletePrefix(const Writes& w, MDB_dbi dbi, std::string_view prefix) {
  MDB_cursor* cursor = nullptr;
  Check(mdb_cursor_open(w.txn, dbi, &cursor), "open cursor");
  MDB_val k = ToVal(prefix);
  MDB_val v;
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  try {
    while (rc == MDB_SUCCESS && FromVal(k).starts_with(prefix)) {
      if (w.undo != nullptr) {
        const std::string_view old = FromVal(v);
        w.undo->Record(dbi, FromVal(k), &old);
      }
      const int del_rc = mdb_cursor_del(cursor, 0);
      if (del_rc != MDB_SUCCESS) FailWrite(w, del_rc, "delete");
      // After a delete LMDB leaves the cursor so that MDB_NEXT yields the
      // entry that followed the deleted one.
      rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    if (rc != MDB_NOTFOUND && rc != MDB_SUCCESS) Check(rc, "scan");
  } catch (...) {
    mdb_cursor_close(cursor);
    throw;
  }
  mdb_cursor_close(cursor);
}

}  // namespace ddb::storage_internal
