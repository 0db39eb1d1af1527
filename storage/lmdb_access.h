// Reads and writes of LMDB entries for storage.cc: every write goes
// through here, so that a job sharing its transaction with others (group
// commit, writer.cc) has each change recorded in its undo log. Internal to
// storage/.
#pragma once

#include <lmdb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "storage/storage.h"
#include "storage/undo_log.h"

namespace ddb::storage_internal {

MDB_val ToVal(std::string_view s);
std::string_view FromVal(const MDB_val& v);

// Returns whether `key` exists; fills `*value` when it does.
bool Get(MDB_txn* txn, MDB_dbi dbi, std::string_view key,
         std::string_view* value);

// Where a write transaction's changes go: the LMDB transaction, and the
// undo log of the job when it shares the transaction with others (group
// commit, writer.cc); nullptr when the job's transaction is its own.
struct Writes {
  MDB_txn* txn;
  UndoLog* undo;
};

// What the undo log learns of the value a Put replaces.
struct Replacing {
  // The caller read it in this transaction just before (no lookup needed):
  bool known = false;
  std::optional<std::string_view> stored;  // when known; nullopt: none
  // The same key is written many times per job (a table's stats, once per
  // item of a batch): only its first change in the job needs recording.
  bool once_per_job = false;
};

// mdb_put through the undo log. Returns MDB_SUCCESS, or MDB_KEYEXIST when
// MDB_NOOVERWRITE found the key (nothing changed); throws on anything else.
int Put(const Writes& w, MDB_dbi dbi, std::string_view key,
        std::string_view value, unsigned flags = 0,
        const Replacing& replacing = {});

// Returns whether `key` was there to delete.
bool Del(const Writes& w, MDB_dbi dbi, std::string_view key);

// Deletes every entry of `dbi` whose key starts with `prefix`. In a shared
// transaction every deleted entry is copied to the undo log, which is why
// large deletes run in a transaction of their own (WriteScope::kOwn).
void DeletePrefix(const Writes& w, MDB_dbi dbi, std::string_view prefix);

// A table's stats, and an index's (which sit after their table's, so one
// prefix covers both).
std::string StatsKey(uint64_t table_id);
std::string IndexStatsKey(uint64_t table_id, uint32_t index_id);
TableStats ReadStats(MDB_txn* txn, MDB_dbi dbi, std::string_view key);
void WriteStats(const Writes& w, MDB_dbi dbi, std::string_view key,
                const TableStats& stats);

}  // namespace ddb::storage_internal
