/**
 * The tool's own small panel, in plain DOM (runtime-loaded extensions get no React in OHIF 3.13): which backend ran
 * and how long it took, the threshold, and progress with a cancel button for whole-series runs.
 */
export interface PanelHandlers {
  onThreshold(value: number): void;
  onCancel(): void;
  onSaveFile(): void;
}

export class ToolPanel {
  private readonly root: HTMLDivElement;
  private readonly status: HTMLDivElement;
  private readonly slider: HTMLInputElement;
  private readonly sliderValue: HTMLSpanElement;
  private readonly progress: HTMLProgressElement;
  private readonly cancel: HTMLButtonElement;

  constructor(handlers: PanelHandlers) {
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text = '') => {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
      if (text) e.textContent = text;
      return e;
    };
    this.root = el('div', {
      'data-cy': 'cmunext-panel',
      style: 'position:fixed;right:16px;bottom:16px;z-index:1000;width:300px;padding:10px 12px;border-radius:6px;'
        + 'background:#090c29;border:1px solid #3a3f99;color:#e1e1e1;font:13px/1.4 system-ui,sans-serif;display:none',
    });
    const title = el('div', { style: 'font-weight:600;color:#5acce6;margin-bottom:4px' }, 'CMUNeXt segment');
    this.status = el('div', { 'data-cy': 'cmunext-status', role: 'status', 'aria-live': 'polite' });
    const row = el('label', { style: 'display:flex;align-items:center;gap:8px;margin-top:6px' }, 'Threshold');
    this.slider = el('input', { type: 'range', min: '0.05', max: '0.95', step: '0.05', value: '0.5', 'data-cy': 'cmunext-threshold', style: 'flex:1' });
    this.sliderValue = el('span', { style: 'width:32px;text-align:right' }, '0.50');
    this.slider.addEventListener('input', () => (this.sliderValue.textContent = Number(this.slider.value).toFixed(2)));
    this.slider.addEventListener('change', () => handlers.onThreshold(Number(this.slider.value)));
    row.append(this.slider, this.sliderValue);
    const bar = el('div', { style: 'display:flex;align-items:center;gap:8px;margin-top:6px' });
    this.progress = el('progress', { max: '1', value: '0', 'data-cy': 'cmunext-progress', style: 'flex:1;display:none' });
    this.cancel = el('button', { type: 'button', 'data-cy': 'cmunext-cancel', style: 'display:none;background:#3a3f99;color:#fff;border:0;border-radius:4px;padding:2px 8px;cursor:pointer' }, 'Cancel');
    this.cancel.addEventListener('click', () => handlers.onCancel());
    bar.append(this.progress, this.cancel);
    // Always at hand: the reader's work leaves as a file when the PACS will not take it.
    const save = el('button', { type: 'button', 'data-cy': 'cmunext-save-file', title: 'The SEG that Store sends, as a DICOM file', style: 'margin-top:6px;background:none;color:#5acce6;border:1px solid #3a3f99;border-radius:4px;padding:2px 8px;cursor:pointer' }, 'Save SEG as file');
    save.addEventListener('click', () => handlers.onSaveFile());
    this.root.append(title, this.status, row, bar, save);
    document.body.append(this.root);
  }

  say(text: string): void {
    this.root.style.display = 'block';
    this.status.textContent = text;
  }

  setThreshold(value: number): void {
    this.slider.value = String(value);
    this.sliderValue.textContent = value.toFixed(2);
  }

  showProgress(done: number, total: number): void {
    this.root.style.display = 'block';
    this.progress.style.display = this.cancel.style.display = done < total ? '' : 'none';
    this.progress.max = total;
    this.progress.value = done;
  }

  hideProgress(): void {
    this.progress.style.display = this.cancel.style.display = 'none';
  }

  remove(): void {
    this.root.remove();
  }
}
