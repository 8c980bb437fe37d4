import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IssuedCardsResponse } from '../../../../../shared/api/sign-in-cards.ts';

/**
 * Printable cards: name, QR code and school, each in the pupil's own language. The codes exist only in
 * this page's memory (the server keeps hashes): printing is the moment to keep them.
 */
export function CardSheet({ issued, onClose }: { issued: IssuedCardsResponse; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [svgs, setSvgs] = useState<Record<string, string>>({});

  useEffect(() => {
    let live = true;
    void Promise.all(
      issued.cards.map(async (card) => [card.pupilId, await QRCode.toString(card.url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 })] as const),
    ).then((pairs) => {
      if (live) setSvgs(Object.fromEntries(pairs));
    });
    return () => {
      live = false;
    };
  }, [issued]);

  return (
    <section className="card-sheet stack" aria-labelledby="card-sheet-heading">
      <div className="card-sheet__controls">
        <h2 id="card-sheet-heading">{t('signInCards.sheet.heading', { count: issued.cards.length })}</h2>
        <p>{t('signInCards.sheet.intro')}</p>
        <div className="button-row">
          <button type="button" className="button button--primary" onClick={() => window.print()}>
            {t('signInCards.sheet.print')}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t('signInCards.sheet.close')}
          </button>
        </div>
      </div>
      <ul className="card-sheet__cards" role="list">
        {issued.cards.map((card) => {
          const ct = i18n.getFixedT(card.locale);
          return (
            <li key={card.pupilId} className="sign-in-card" lang={card.locale}>
              {/* The SVG is made here, by the QR library, from our own card URL. */}
              <div
                className="sign-in-card__qr"
                role="img"
                aria-label={ct('signInCards.sheet.qrLabel', { name: card.displayName })}
                dangerouslySetInnerHTML={{ __html: svgs[card.pupilId] ?? '' }}
              />
              <div className="sign-in-card__text">
                <p className="sign-in-card__name">{card.displayName}</p>
                <p className="sign-in-card__school">{issued.schoolName}</p>
                <p className="sign-in-card__how">{ct('signInCards.sheet.how')}</p>
                <p className="sign-in-card__code">
                  {ct('signInCards.sheet.code')}: <span translate="no">{card.code}</span>
                </p>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
