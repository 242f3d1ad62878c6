// The chat tables beside a lesson and beside a plan have the same columns (server/chat/scopedChatRepo.ts
// reads and writes both the same way), so both migrations write them from here. The text produced
// is byte for byte what those migrations first shipped: migrations are append-only, and an installed
// database never runs them again anyway.
export function chatTableSql(table: string, key: string, parent: string, index: string): string {
  return `create table ${table} (
  id text primary key,
  ${key} text not null references ${parent}(id) on delete cascade,
  user_id text not null references users(id),
  text text not null,
  sent_at timestamptz not null default now()
);
create index ${index} on ${table}(${key}, sent_at);`;
}
