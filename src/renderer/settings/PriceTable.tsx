// The user's price overrides (USD per million tokens), editable row by row, and the bundled
// prices below them, read-only, each of which can be copied up to be overridden.
import type { ModelPrice } from '../../shared/domain/settings';
import { CloseIcon, PlusIcon } from '../common/icons';
import { priceRow, type PriceField, type PriceRowDraft, type PriceRowErrors } from './settingsForm';
import { addPriceRow, editPrice, removePriceRow } from './settingsStore';

const COLUMNS: Array<{ field: PriceField; label: string; numeric: boolean }> = [
  { field: 'model', label: 'Model', numeric: false },
  { field: 'input', label: 'Input', numeric: true },
  { field: 'cachedInput', label: 'Cached input', numeric: true },
  { field: 'output', label: 'Output', numeric: true },
];

function PriceRow({ row, index, errors }: { row: PriceRowDraft; index: number; errors: PriceRowErrors | undefined }) {
  const name = row.model.trim() || `row ${index + 1}`;
  return (
    <tr>
      {COLUMNS.map(({ field, label, numeric }) => (
        <td key={field}>
          <input
            className={numeric ? 'num' : undefined}
            value={row[field]}
            inputMode={numeric ? 'decimal' : undefined}
            placeholder={field === 'cachedInput' ? 'as input' : undefined}
            aria-label={field === 'model' ? `Model, price row ${index + 1}` : `${label} price of ${name}`}
            aria-invalid={errors?.[field] ? true : undefined}
            spellCheck={false}
            onChange={(e) => editPrice(row.id, field, e.target.value)}
          />
          {errors?.[field] && <span className="field-error">{errors[field]}</span>}
        </td>
      ))}
      <td>
        <button type="button" className="icon-button" aria-label={`Remove price of ${name}`} onClick={() => removePriceRow(row.id)}>
          <CloseIcon />
        </button>
      </td>
    </tr>
  );
}

function Head() {
  return (
    <thead>
      <tr>
        <th scope="col">Model</th>
        <th scope="col" className="num">Input $/M</th>
        <th scope="col" className="num">Cached input $/M</th>
        <th scope="col" className="num">Output $/M</th>
        <th scope="col">
          <span className="visually-hidden">Actions</span>
        </th>
      </tr>
    </thead>
  );
}

export function PriceOverrides({ rows, errors }: { rows: PriceRowDraft[]; errors: Record<number, PriceRowErrors> }) {
  return (
    <>
      {rows.length === 0 ? (
        <p className="muted">No overrides: runs are priced from the bundled table below.</p>
      ) : (
        <table className="price-table editable" aria-label="Price overrides">
          <Head />
          <tbody>
            {rows.map((row, i) => (
              <PriceRow key={row.id} row={row} index={i} errors={errors[row.id]} />
            ))}
          </tbody>
        </table>
      )}
      <button type="button" onClick={() => addPriceRow()}>
        <PlusIcon /> Add price
      </button>
    </>
  );
}

const price = (n: number | undefined) => (n === undefined ? '—' : `$${n}`);

export function BundledPrices({ prices }: { prices: Record<string, ModelPrice> }) {
  const models = Object.keys(prices).sort();
  return (
    <details className="bundled-prices">
      <summary>Bundled prices ({models.length} models)</summary>
      <div className="bundled-scroll">
        <table className="price-table" aria-label="Bundled prices">
          <Head />
          <tbody>
            {models.map((model) => (
              <tr key={model}>
                <td className="mono">{model}</td>
                <td className="num">{price(prices[model]?.input)}</td>
                <td className="num">{price(prices[model]?.cachedInput)}</td>
                <td className="num">{price(prices[model]?.output)}</td>
                <td>
                  <button type="button" className="link-button" aria-label={`Override price of ${model}`} onClick={() => addPriceRow(priceRow(model, prices[model]))}>
                    Override
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
