#include "storage/undo_log.h"

#include "storage/storage_impl.h"

namespace ddb {

void UndoLog::Record(MDB_dbi dbi, std::string_view key,
                     const std::string_view* old) {
  Entry record{dbi, old != nullptr, data_.size(), key.size(),
               old != nullptr ? old->size() : 0};
  data_.append(key);
  if (old != nullptr) data_.append(*old);
  records_.push_back(record);
}

void UndoLog::Rollback(MDB_txn* txn) {
  for (auto it = records_.rbegin(); it != records_.rend(); ++it) {
    MDB_val k{it->key_size, data_.data() + it->offset};
    if (it->existed) {
      MDB_val v{it->value_size, data_.data() + it->offset + it->key_size};
      const int rc = mdb_put(txn, it->dbi, &k, &v, 0);
      if (rc != MDB_SUCCESS) MarkBroken();
      storage_internal::Check(rc, "roll back", mdb_txn_env(txn));
    } else {
      const int rc = mdb_del(txn, it->dbi, &k, nullptr);
      if (rc == MDB_NOTFOUND) continue;
      if (rc != MDB_SUCCESS) MarkBroken();
      storage_internal::Check(rc, "roll back", mdb_txn_env(txn));
    }
  }
  Clear();
}

void UndoLog::Clear() {
  records_.clear();
  data_.clear();
}

}  // namespace ddb
