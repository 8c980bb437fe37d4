/** A winding path with stepping stones towards a flag: decoration only, hidden from assistive technology. */
export function PathIllustration() {
  return (
    <svg className="illustration" viewBox="0 0 240 160" aria-hidden="true" focusable="false">
      <rect width="240" height="160" rx="20" fill="#e7f4ee" />
      <circle cx="200" cy="36" r="16" fill="#ffd166" />
      <path d="M0 128c40-20 70-6 110-16s60-30 130-20v68H0z" fill="#cfe8dc" />
      <path d="M30 150c10-30 60-24 70-44s-22-28 6-44 58-6 78-22" fill="none" stroke="#f4ede1" strokeWidth="16" strokeLinecap="round" />
      <path d="M30 150c10-30 60-24 70-44s-22-28 6-44 58-6 78-22" fill="none" stroke="#d9c9a8" strokeWidth="2" strokeDasharray="2 12" strokeLinecap="round" />
      <g fill="#1d5fa8">
        <rect x="182" y="14" width="3" height="30" rx="1.5" />
        <path d="M185 15h20l-6 7 6 7h-20z" fill="#2f8f6b" />
      </g>
      <g fill="#2f8f6b">
        <circle cx="40" cy="70" r="14" />
        <circle cx="58" cy="62" r="10" />
        <rect x="46" y="72" width="4" height="16" fill="#6b4f2a" />
      </g>
      <g fill="#8ccfb0">
        <circle cx="150" cy="96" r="10" />
        <rect x="148" y="100" width="3" height="12" fill="#6b4f2a" />
      </g>
    </svg>
  );
}
