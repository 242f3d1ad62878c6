// An activity's evidence: images as thumbnails (click: the full picture), documents as
// download links, and — while the school may still change the activity — upload and remove.
import { useRef, useState, type ChangeEvent } from 'react';
import { EVIDENCE_TYPES, type EvidenceFile } from '../../../../server/contract/workspace/activities.js';
import { LIMITS } from '../../../../server/contract/limits.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { toast } from '../../toast.js';
import { activitiesApi, evidenceUrl, uploadEvidence } from './activitiesApi.js';

const ACCEPT = 'image/jpeg,image/png,image/webp,application/pdf,.docx,.xlsx';
const MB = Math.round(LIMITS.evidenceBytesMax / (1024 * 1024));

export function EvidenceList({ activityId, evidence, editable, onChanged }: { activityId: string; evidence: EvidenceFile[]; editable: boolean; onChanged(): void }) {
  const { t } = useI18n();
  const [viewing, setViewing] = useState<EvidenceFile | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const onFiles = async (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    // One after another: the server makes each image's thumbnail before it answers.
    for (const file of files) {
      if (file.size > LIMITS.evidenceBytesMax) {
        toast.error(t('wsa.evidence.tooLarge', { name: file.name, mb: MB }));
        continue;
      }
      setUploading(file.name);
      try {
        await uploadEvidence(activityId, file);
      } catch (err) {
        toast.error(`${file.name}: ${errorText(err)}`);
      }
    }
    setUploading(null);
    onChanged();
  };

  const remove = (id: string) => activitiesApi.removeEvidence(id).then(onChanged, (err) => toast.error(errorText(err)));

  return (
    <div data-testid="wsa-evidence">
      {evidence.length === 0 && <div className="muted-text">{t('wsa.evidence.none')}</div>}
      <ul className="wsa-evidence">
        {evidence.map((e) => (
          <li key={e.id} data-testid="wsa-evidence-item" data-type={e.type}>
            {e.hasThumbnail ? (
              <button type="button" className="wsa-thumb" onClick={() => setViewing(e)} title={e.originalName}>
                <img src={evidenceUrl(e.id, 'thumb')} alt={e.originalName} loading="lazy" data-testid="wsa-thumbnail" />
              </button>
            ) : (
              <a className="wsa-doc" href={evidenceUrl(e.id, 'file')} download title={e.originalName}>
                {EVIDENCE_TYPES[e.type].ext}
              </a>
            )}
            <span className="wsa-name" title={e.originalName}>
              {e.originalName}
            </span>
            <span className="row-gap">
              <a href={evidenceUrl(e.id, 'file')} target="_blank" rel="noopener noreferrer">
                {EVIDENCE_TYPES[e.type].image ? t('wsa.evidence.open') : t('wsa.evidence.download')}
              </a>
              {editable && (
                <button type="button" className="link" data-testid="wsa-evidence-remove" onClick={() => void remove(e.id)}>
                  {t('wsa.evidence.remove')}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {editable && (
        <div className="row-gap">
          <button type="button" onClick={() => input.current?.click()} disabled={uploading !== null}>
            {t('wsa.evidence.add')}
          </button>
          <input ref={input} type="file" multiple accept={ACCEPT} hidden onChange={(e) => void onFiles(e)} data-testid="wsa-evidence-input" />
          <span className="muted-text">{uploading ? t('wsa.evidence.uploading', { name: uploading }) : t('wsa.evidence.hint', { mb: MB })}</span>
        </div>
      )}
      {viewing && (
        <div className="wsa-viewer" role="dialog" onClick={() => setViewing(null)} data-testid="wsa-viewer">
          <img src={evidenceUrl(viewing.id, 'file')} alt={viewing.originalName} />
          <button type="button" onClick={() => setViewing(null)}>
            ✕
          </button>
        </div>
      )}
    </div>
  );
}
