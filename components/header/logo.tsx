/** Three linked nodes and a travelling message: the product in one glyph. */
export function Logo({ className = "size-12" }: { className?: string }) {
  return (
    <svg viewBox="0 0 48 48" className={`shrink-0 ${className}`} aria-hidden>
      <defs>
        <linearGradient id="logo-g" x1="0" y1="0" x2="1" y2="1">
          <stop offset="0" stopColor="#38d6c4" />
          <stop offset="1" stopColor="#3b82f6" />
        </linearGradient>
      </defs>
      <rect x="1" y="1" width="46" height="46" rx="13" fill="#0e1a2a" stroke="url(#logo-g)" strokeOpacity="0.55" />
      <path d="M14 32 24 13 34 32Z" fill="none" stroke="#38d6c4" strokeOpacity="0.45" strokeWidth="2" strokeLinejoin="round" />
      <circle cx="24" cy="13" r="5" fill="url(#logo-g)" />
      <circle cx="14" cy="32" r="5" fill="url(#logo-g)" />
      <circle cx="34" cy="32" r="5" fill="url(#logo-g)" />
      <circle cx="19" cy="22.5" r="2.4" fill="#eafffb" />
    </svg>
  );
}
