import { useCallback, useState, type DragEvent } from 'react';
import type { FacesReport } from '../../core/faces/faces.ts';
import { describeType, formatBytes, mimeOf } from '../../core/zip/filetype.ts';
import { selectContract, useSettingsStore } from '../../store/settings.ts';
import { slotWarning, useSingleStore, type SlotIndex } from '../../store/single.ts';
import { Button } from '../components/Button.tsx';

/** One image slot: choose or drop a file, preview it, see its detected type and any warning. */
export function ImageSlot({ index }: { index: SlotIndex }) {
  const contract = useSettingsStore(selectContract);
  const slot = useSingleStore((s) => s.slots[index]);
  const faces = useSingleStore((s) => s.faces[index]);
  const busy = useSingleStore((s) => s.status === 'running');
  const setFile = useSingleStore((s) => s.setFile);
  const clearSlot = useSingleStore((s) => s.clearSlot);
  const [dragging, setDragging] = useState(false);
  const field = contract.imageFields[index];
  const inputId = `slot-${index}-input`;
  const infoId = `slot-${index}-info`;
  const warnId = `slot-${index}-warning`;
  const warning = slotWarning(contract, index, slot);

  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setDragging(false);
    if (busy) return;
    const file = e.dataTransfer.files[0];
    if (file) void setFile(index, file);
  };

  return (
    <div className="flex min-w-0 flex-col gap-3">
      <div className="flex items-center justify-between gap-2">
        <h3 className="font-mono text-sm font-semibold text-slate-800 dark:text-slate-200">{field}</h3>
        {slot && (
          <Button size="sm" variant="ghost" onClick={() => clearSlot(index)} disabled={busy} aria-label={`Clear ${field}`}>
            Clear
          </Button>
        )}
      </div>
      <div
        onDragOver={(e) => { e.preventDefault(); if (!busy) setDragging(true); }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        className="relative"
      >
        <input
          id={inputId}
          type="file"
          aria-label={`Choose ${field}`}
          aria-describedby={[slot ? infoId : '', warning ? warnId : ''].filter(Boolean).join(' ') || undefined}
          disabled={busy}
          className="peer sr-only"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void setFile(index, file);
            // Let the same file be chosen again after a Clear.
            e.target.value = '';
          }}
        />
        <label
          htmlFor={inputId}
          className={`relative flex h-56 cursor-pointer flex-col items-center justify-center overflow-hidden rounded-lg border-2 border-dashed text-center transition-colors peer-focus-visible:outline-2 peer-focus-visible:outline-offset-2 peer-focus-visible:outline-sky-500 peer-disabled:cursor-not-allowed ${
            dragging
              ? 'border-sky-500 bg-sky-50 dark:bg-sky-950/40'
              : 'border-slate-300 bg-slate-50 hover:border-slate-400 dark:border-slate-700 dark:bg-slate-950/40 dark:hover:border-slate-600'
          }`}
        >
          {slot && (slot.type === null || mimeOf(slot.type).startsWith('image/')) ? (
            <>
              <Preview file={slot.file} name={slot.name} />
              {faces && <FaceBoxes report={faces} field={field} />}
            </>
          ) : slot ? (
            <span className="px-4 text-sm text-slate-600 dark:text-slate-400">
              No preview for {slot.name}
              <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">Choose another file or drop one here</span>
            </span>
          ) : (
            <span className="px-4 text-sm text-slate-600 dark:text-slate-400">
              <span className="font-semibold text-sky-700 dark:text-sky-300">Choose {field}</span> or drop a file here
              <span className="mt-1 block text-xs text-slate-500 dark:text-slate-400">
                JPEG or PNG, up to {formatBytes(contract.maxImageBytes)}
              </span>
            </span>
          )}
        </label>
      </div>
      {slot && (
        <p id={infoId} className="min-w-0 text-xs text-slate-600 dark:text-slate-400">
          <span className="block truncate font-medium text-slate-800 dark:text-slate-200" title={slot.name}>{slot.name}</span>
          {formatBytes(slot.size)} · {slot.type === null ? 'reading…' : describeType(slot.type)}
        </p>
      )}
      {warning && (
        <p id={warnId} className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-xs text-amber-900 dark:border-amber-700 dark:bg-amber-950/50 dark:text-amber-200">
          {warning}
        </p>
      )}
    </div>
  );
}

/** The preview's object URL is created for this file and revoked when the file changes or the slot unmounts. */
function Preview({ file, name }: { file: File; name: string }) {
  const attach = useCallback((img: HTMLImageElement | null) => {
    if (!img) return;
    const url = URL.createObjectURL(file);
    img.src = url;
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return <img key={name} ref={attach} alt={`Preview of ${name}`} className="h-full w-full object-contain" />;
}

/**
 * The detector's boxes over the preview. The SVG covers the same box as the <img> and uses the
 * image's own pixel size as its viewBox with "meet", which is exactly how object-contain fits it.
 */
function FaceBoxes({ report, field }: { report: FacesReport; field: string }) {
  const n = report.faces.length;
  const label = n === 0
    ? `No face found in ${field}`
    : n === 1
      ? `1 face found in ${field}, the one compared`
      : `${n} faces found in ${field}; face ${report.used! + 1} from the left, the largest, is compared`;
  const stroke = Math.max(2, Math.round(Math.max(report.width, report.height) / 150));
  return (
    <svg
      role="img"
      aria-label={label}
      viewBox={`0 0 ${report.width} ${report.height}`}
      preserveAspectRatio="xMidYMid meet"
      className="pointer-events-none absolute inset-0 h-full w-full"
    >
      {report.faces.map((f, i) => {
        const used = i === report.used;
        return (
          <g key={i} data-face={i} data-used={used || undefined}>
            <rect
              x={f.box.x} y={f.box.y} width={f.box.width} height={f.box.height}
              fill="none"
              stroke={used ? '#16a34a' : '#f59e0b'}
              strokeWidth={stroke}
              strokeDasharray={used ? undefined : `${stroke * 3} ${stroke * 2}`}
              vectorEffect="non-scaling-stroke"
            />
            {n > 1 && (
              <text
                x={f.box.x + stroke} y={Math.max(f.box.y - stroke * 2, stroke * 8)}
                fill={used ? '#16a34a' : '#b45309'}
                fontSize={Math.max(12, Math.round(Math.max(report.width, report.height) / 30))}
                fontFamily="ui-sans-serif, system-ui, sans-serif"
                fontWeight={700}
                paintOrder="stroke"
                stroke="#ffffff"
                strokeWidth={stroke}
              >
                {used ? 'compared' : `face ${i + 1}`}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
