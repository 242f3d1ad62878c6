// One drop-down (<select>) from a list of [value, label] options, so the pages do not each spell
// out the option list. `none` adds the empty first option (value "") that stands for 无 / 全部 / a
// prompt. onChange hands over the DOM's string value (the chosen ones with `multiple`); a page that
// keeps a number converts it.
import type { ChangeEvent } from 'react';

export type ChoiceOption = readonly [value: string | number, label: string, disabled?: boolean];

type OneOrMany = { multiple?: false; value: string | number; onChange(value: string): void } | { multiple: true; value: readonly string[]; onChange(values: string[]): void };

export type ChoiceProps = OneOrMany & {
  options: readonly ChoiceOption[];
  /** The label of an empty first option (value ""). */
  none?: string;
  required?: boolean;
  'aria-label'?: string;
  'data-testid'?: string;
};

export function Choice(props: ChoiceProps) {
  const change = (e: ChangeEvent<HTMLSelectElement>) => {
    if (props.multiple) props.onChange([...e.target.selectedOptions].map((o) => o.value));
    else props.onChange(e.target.value);
  };
  return (
    <select
      value={props.value}
      multiple={props.multiple}
      required={props.required}
      aria-label={props['aria-label']}
      data-testid={props['data-testid']}
      onChange={change}
    >
      {props.none !== undefined && <option value="">{props.none}</option>}
      {props.options.map(([v, label, disabled]) => (
        <option key={v} value={v} disabled={disabled}>
          {label}
        </option>
      ))}
    </select>
  );
}
