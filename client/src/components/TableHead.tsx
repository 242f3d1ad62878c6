// A table's header row from its column titles, in order.
export function TableHead({ labels }: { labels: readonly string[] }) {
  return (
    <thead>
      <tr>
        {labels.map((l, i) => (
          <th key={i}>{l}</th>
        ))}
      </tr>
    </thead>
  );
}
