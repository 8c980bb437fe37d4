/**
 * Mahara's LEAP2A importer, reduced to its decisions: which plugin claims each entry and what it
 * becomes there. A faithful port of the matching rules (not of Mahara's storage) so that a test can
 * say how a feed would land in Mahara, where no Mahara can run. Ported from MaharaProject/mahara at
 * 0881d0f9 (23.04 line; "current") and from 22.04.2_RELEASE ("22.04", before the namespace change of
 * bug 1999608). Paths below are in that repository.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

const ATOM = 'http://www.w3.org/2005/Atom';
const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
// htdocs/import/leap/lib.php, PluginImportLeap::NS_* (current) and the 22.04 values.
const GENERATIONS = {
  current: {
    leap: 'https://web.archive.org/web/20100503000634/http://terms.leapspecs.org',
    categories: 'https://web.archive.org/web/20120819100914/http://wiki.leapspecs.org:80/2A/categories',
    maharaNew: 'https://wiki.mahara.org/wiki/Developer_Area/Import//Export/LEAP_Extensions',
    maharaOld: 'http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#',
  },
  '22.04': {
    leap: 'http://terms.leapspecs.org/',
    categories: 'http://wiki.leapspecs.org/2A/categories/',
    maharaNew: 'http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#',
    maharaOld: 'http://wiki.mahara.org/Developer_Area/Import%2F%2FExport/LEAP_Extensions#',
  },
} as const;
export type MaharaGeneration = keyof typeof GENERATIONS;
const SUPPORTED_VERSIONS = ['http://www.leapspecs.org/2010-07/2A/']; // $supportedleap2aversions

export interface El {
  uri: string;
  local: string;
  attrs: Array<{ uri: string; local: string; name: string; value: string }>;
  children: El[];
  text: string;
  /** Namespace bindings in scope (prefix → URI), as libxml resolves XPath prefixes on the node. */
  ns: Record<string, string>;
}

export function parseXml(xml: string): El {
  const parser = new SaxesParser({ xmlns: true });
  const stack: El[] = [];
  let root: El | null = null;
  parser.on('opentag', (tag: SaxesTagNS) => {
    const parent = stack[stack.length - 1];
    const el: El = {
      uri: tag.uri,
      local: tag.local,
      attrs: Object.values(tag.attributes).map((a) => ({ uri: a.uri, local: a.local, name: a.name, value: a.value })),
      children: [],
      text: '',
      ns: { ...(parent?.ns ?? {}), ...tag.ns },
    };
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('text', (t) => {
    for (const el of stack) el.text += t;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

const kids = (el: El, uri: string, local: string) => el.children.filter((c) => c.uri === uri && c.local === local);
const plainAttr = (el: El, local: string) => el.attrs.find((a) => a.uri === '' && a.local === local)?.value;
/** SimpleXMLElement::attributes($ns): attributes whose namespace URI is exactly $ns. */
const nsAttr = (el: El, uri: string, local: string) => el.attrs.find((a) => a.uri === uri && a.local === local)?.value;
const descendants = (el: El): El[] => el.children.flatMap((c) => [c, ...descendants(c)]);

export type Landing =
  | { as: 'file'; title: string; mime: string; description: string; tags: string[] }
  | { as: 'folder'; title: string }
  | { as: 'journal'; title: string; tags: string[]; posts: string[] }
  | { as: 'post'; title: string; journal: string; tags: string[]; attachments: Array<{ entry: string } | { linkedFile: string; name: string }> }
  | { as: 'comment'; on: { entry: string } | 'temporary page'; authorName: string; private: boolean }
  | { as: 'resume'; type: string | null }
  | { as: 'profile-field' | 'introduction' | 'plan' | 'annotation' | 'peerassessment' | 'view' | 'collection' | 'author' }
  | { as: 'not imported'; why: string };

export interface Claim {
  plugin: string;
  strategy: string;
  score: number;
  otherRequired: string[];
}

export interface MaharaImport {
  namespaceMahara: string;
  personEntry: string | null;
  /** Every plugin's offers per entry, best first (create_strategy_listing()). */
  claims: Map<string, Claim[]>;
  landings: Map<string, Landing>;
  profile: { firstname: string; lastname: string; preferredname: string; email: string[]; introduction: string | null };
  /** Links in imported content with rel="leap2:has_part"/"enclosure": the entry each resolves to, or null (left as written). */
  references: Array<{ in: string; href: string; resolves: boolean }>;
}

/**
 * What Mahara's non-interactive import (PluginImportLeap::process(STEP_NON_INTERACTIVE)) makes of
 * `xml`; `files` are the paths beside leap2a.xml in the archive (for enclosures read from disk).
 */
export function maharaImport(xml: string, files: ReadonlySet<string>, generation: MaharaGeneration = 'current'): MaharaImport {
  const G = GENERATIONS[generation];
  const feed = parseXml(xml);
  // read_leap2a_xml_file(): array_flip(getDocNamespaces()) – the root's declarations only, URI → prefix.
  const namespaces = new Map<string, string>();
  for (const [prefix, uri] of Object.entries(feed.ns)) if (prefix !== '' && prefix !== 'xml') namespaces.set(uri, prefix);
  if (generation === 'current' && [...namespaces.values()].includes('leap2')) {
    // Bug 1999608 (22.10): the old and new leap2 / categories URIs both answer to the prefixes.
    for (const uri of [G.leap, 'http://terms.leapspecs.org/']) if (!namespaces.has(uri)) namespaces.set(uri, 'leap2');
    for (const uri of [G.categories, 'http://wiki.leapspecs.org/2A/categories/']) if (!namespaces.has(uri)) namespaces.set(uri, 'categories');
  }
  const namespaceMahara = namespaces.has(G.maharaOld) ? G.maharaOld : G.maharaNew;

  // detect_leap2a_namespace(): `//leap2:version`, the prefix as the document binds it.
  const leap2Uri = feed.ns.leap2;
  const version = leap2Uri ? descendants(feed).find((e) => e.uri === leap2Uri && e.local === 'version') : undefined;
  if (version && !SUPPORTED_VERSIONS.includes(version.text)) throw new Error('FATAL: The version of the uploaded LEAP2A file is not supported');
  if (!version) throw new Error('a 2009-03 feed: not ported');
  const leapNs = G.leap;
  // (22.04 also took a categories URI without the final slash, a workaround for bug #673434.)
  const categoriesNs =
    generation === '22.04' && namespaces.has('http://wiki.leapspecs.org/2A/categories') ? 'http://wiki.leapspecs.org/2A/categories' : G.categories;

  // curie_equals() / curie_xpath(): "prefix:term", "[prefix:term]" or the namespace URI + term.
  const curie = (value: string | undefined, ns: string, term: string) => {
    if (value === undefined) return false;
    const p = namespaces.get(ns);
    return (p !== undefined && (value === `${p}:${term}` || value === `[${p}:${term}]`)) || value === ns + term;
  };
  const isRdfType = (e: El, type: string) => kids(e, RDF, 'type').some((t) => curie(nsAttr(t, RDF, 'resource'), leapNs, type));
  const isCategory = (e: El, scheme: string, term: string) =>
    kids(e, ATOM, 'category').some((c) => curie(plainAttr(c, 'scheme'), categoriesNs, `${scheme}#`) && plainAttr(c, 'term') === term);
  const links = (e: El) => kids(e, ATOM, 'link').map((l) => ({ rel: plainAttr(l, 'rel') ?? '', href: plainAttr(l, 'href') }));
  const linked = (e: El, rel: string) => links(e).flatMap((l) => (curie(l.rel, leapNs, rel) && l.href !== undefined ? [l.href] : []));
  const enclosures = (e: El) => links(e).flatMap((l) => (l.rel === 'enclosure' && l.href !== undefined ? [l.href] : []));
  const maharaPlugins = (e: El) => kids(e, namespaceMahara, 'artefactplugin');
  const hasMahara = (e: El, attr: 'type' | 'plugin', value: string) => maharaPlugins(e).filter((p) => nsAttr(p, namespaceMahara, attr) === value).length;
  const entries = kids(feed, ATOM, 'entry');
  const idOf = (e: El) => kids(e, ATOM, 'id')[0]?.text ?? '';
  const byId = new Map(entries.map((e) => [idOf(e), e]));
  const title = (e: El) => kids(e, ATOM, 'title')[0]?.text ?? '';
  const tags = (e: El) => [
    ...new Set(kids(e, ATOM, 'category').flatMap((c) => (plainAttr(c, 'scheme') === undefined ? [plainAttr(c, 'label') ?? plainAttr(c, 'term') ?? ''] : []))),
  ];
  const content = (e: El) => kids(e, ATOM, 'content')[0];

  // create_strategy_listing(): the person entry is offered to no plugin.
  const authorUri = kids(kids(feed, ATOM, 'author')[0] ?? feed, ATOM, 'uri')[0]?.text;
  const personEntry =
    authorUri && byId.has(authorUri) ? authorUri : (entries.map((e) => (isCategory(e, 'person_type', 'Self') ? idOf(e) : null)).find(Boolean) ?? null);
  const person = personEntry ? byId.get(personEntry) : undefined;
  const personContentBlank = !(person && content(person)?.text);

  // artefact/file/import/leap/lib.php: is_file(), is_folder(), has_parent_folder().
  const isFile = (e: El) =>
    (isRdfType(e, 'resource') && content(e) && plainAttr(content(e) as El, 'src') !== undefined) ||
    enclosures(e).filter((href) => !byId.has(href)).length === 1;
  const isFolder = (e: El) => isRdfType(e, 'selection') && isCategory(e, 'selection_type', 'Folder');
  const offers = (e: El): Claim[] => {
    const out: Claim[] = [];
    const offer = (plugin: string, strategy: string, score: number, otherRequired: string[] = []) => out.push({ plugin, strategy, score, otherRequired });
    const isEntry = isRdfType(e, 'entry');
    // artefact/annotation/import/leap/lib.php
    if (isEntry && hasMahara(e, 'type', 'annotation')) offer('annotation', 'annotation', 100, linked(e, 'reflected_on_by'));
    else if (isEntry && hasMahara(e, 'type', 'annotationfeedback') && linked(e, 'reflects_on').length === 1)
      offer('annotation', 'annotationfeedback', 90, linked(e, 'reflects_on'));
    // artefact/blog/import/leap/lib.php: a selection is a journal (Blog: 100, else 20 and a post at 10); anything else a post (10).
    if (isRdfType(e, 'selection')) {
      const score = isCategory(e, 'selection_type', 'Blog') ? 100 : 20;
      offer('blog', 'blog', score, [...new Set(linked(e, 'has_part'))]);
      if (score === 20) offer('blog', 'post', 10);
    } else offer('blog', 'post', 10, enclosures(e));
    // artefact/comment/import/leap/lib.php: an entry with mahara:type="comment" that reflects_on exactly one thing.
    if (isEntry && hasMahara(e, 'type', 'comment') && linked(e, 'reflects_on').length === 1) offer('comment', 'comment', 100);
    // artefact/file/import/leap/lib.php: files 110 ("attached files need to be imported before their parent").
    const parentFolder = linked(e, 'is_part_of').some((href) => {
      const p = byId.get(href);
      return p !== undefined && isFolder(p);
    });
    if (!parentFolder && isFile(e)) offer('file', 'file', 110);
    else if (!parentFolder && isFolder(e)) offer('file', 'folder', 100, linked(e, 'has_part'));
    // artefact/internal/import/leap/lib.php
    if (isEntry && personContentBlank && isCategory(e, 'common_item', 'Personalstatement')) offer('internal', 'introduction', 100);
    else if (isEntry && maharaPlugins(e).filter((p) => nsAttr(p, namespaceMahara, 'plugin') === 'internal').length === 1)
      offer('internal', 'profile-field', 100);
    if (isEntry && hasMahara(e, 'type', 'peerassessment')) offer('peerassessment', 'peerassessment', 100);
    const contentType = content(e) ? plainAttr(content(e) as El, 'type') : undefined;
    if (isRdfType(e, 'plan') && (!contentType || contentType === 'text')) offer('plans', 'plan', 90);
    const resume = resumeOffer(e);
    if (resume) offer('resume', resume.strategy, resume.score);
    // PluginImportLeap::get_import_strategies_for_entry(): pages and collections.
    if (isRdfType(e, 'selection') && isCategory(e, 'selection_type', 'Webpage')) offer('core', 'view', 100);
    else if (isRdfType(e, 'selection') && isCategory(e, 'selection_type', 'Website')) offer('core', 'collection', 100);
    return out.sort((a, b) => b.score - a.score); // usort by score, stable (PHP 8)
  };
  // artefact/resume/import/leap/lib.php, get_import_strategies_for_entry(): the first rule that fits.
  const resumeOffer = (e: El): { strategy: string; score: number } | null => {
    const resumePlugin = hasMahara(e, 'plugin', 'resume') === 1;
    const is = (t: string) => isRdfType(e, t);
    if (is('entry') && resumePlugin) return { strategy: 'entry', score: 100 };
    if (is('ability') && resumePlugin) return { strategy: 'ability', score: 100 };
    if (is('achievement')) return { strategy: 'achievement', score: resumePlugin && hasMahara(e, 'type', 'pseudo:certification') ? 100 : 50 };
    if ((is('activity') || is('entry')) && (isCategory(e, 'life_area', 'Work') || isCategory(e, 'life_area', 'Placement')))
      return { strategy: 'employment', score: 100 };
    if ((is('publication') || is('resource') || is('entry')) && isCategory(e, 'resource_type', 'Printed')) return { strategy: 'book', score: 100 };
    if ((is('activity') || is('entry')) && isCategory(e, 'life_area', 'Education')) return { strategy: 'education', score: 100 };
    if ((is('activity') && hasMahara(e, 'type', 'pseudo:membership')) || is('affiliation')) return { strategy: 'membership', score: 100 };
    if (resumePlugin && is('selection') && isCategory(e, 'selection_type', 'Grouping')) return { strategy: 'selection', score: 100 };
    return null;
  };

  const claims = new Map<string, Claim[]>();
  for (const e of entries) if (idOf(e) !== personEntry) claims.set(idOf(e), offers(e));

  // strategy_listing_to_load_mapping(): entries by their best score, first come first served; an
  // entry another one required is used up. (Its check of the other entries only `continue`s the
  // inner loop, so it never stops a strategy: ported as written.)
  const used = new Set<string>();
  const mapping: Array<[string, Claim]> = [];
  const listing = [...claims].filter(([, c]) => c.length > 0).sort((a, b) => (b[1][0]?.score ?? 0) - (a[1][0]?.score ?? 0));
  for (const [id, list] of listing) {
    const best = list[0];
    if (!best || used.has(id)) continue;
    mapping.push([id, best]);
    used.add(id);
    for (const o of best.otherRequired) used.add(o);
  }

  // import_from_load_mapping(): plugins' entries by score; an entry is skipped whole when it, or
  // any entry it requires, was imported before ("has already been imported as part of a previous entry").
  const landings = new Map<string, Landing>();
  const imported = new Map<string, number>(); // entry → artefacts made from it (artefactids)
  const done = new Set<string>();
  const plugins = mapping.filter(([, c]) => c.plugin !== 'core').sort((a, b) => b[1].score - a[1].score);
  const core = mapping.filter(([, c]) => c.plugin === 'core');
  for (const [id, claim] of [...plugins, ...core]) {
    if (done.has(id) || claim.otherRequired.some((o) => done.has(o))) {
      landings.set(id, { as: 'not imported', why: `${claim.plugin} ${claim.strategy}: already imported as part of a previous entry` });
      continue;
    }
    const e = byId.get(id) as El;
    done.add(id);
    for (const o of claim.otherRequired) done.add(o);
    landings.set(id, land(e, claim));
  }
  for (const [id, list] of claims)
    if (!landings.has(id)) landings.set(id, { as: 'not imported', why: list.length ? 'required by an entry that was not imported' : 'no plugin claims it' });

  function land(e: El, claim: Claim): Landing {
    const id = idOf(e);
    const made = (n = 1) => imported.set(id, (imported.get(id) ?? 0) + n);
    switch (`${claim.plugin}/${claim.strategy}`) {
      case 'file/file': {
        made();
        // get_file_entry_data(): the enclosure's type; the description is the content without tags.
        const enclosure = kids(e, ATOM, 'link').find((l) => plainAttr(l, 'rel') === 'enclosure' && !byId.has(plainAttr(l, 'href') ?? ''));
        const mime = (enclosure ? plainAttr(enclosure, 'type') : plainAttr(content(e) as El, 'type')) ?? '';
        return { as: 'file', title: title(e), mime, description: (content(e)?.text ?? '').trim(), tags: tags(e) };
      }
      case 'blog/blog': {
        made();
        const posts = claim.otherRequired.filter((o) => byId.has(o));
        for (const p of posts) {
          imported.set(p, 1);
          landings.set(p, post(byId.get(p) as El, id));
        }
        return { as: 'journal', title: title(e), tags: tags(e), posts };
      }
      case 'blog/post':
        made();
        return post(e, 'catch-all journal');
      case 'comment/comment':
        made();
        return { as: 'comment', on: 'temporary page', authorName: 'Imported feedback', private: isCategory(e, 'audience', 'Private') };
      case 'resume/ability':
      case 'resume/entry': {
        // get_entry_data_using_strategy(): only the résumé fields it knows; anything else is claimed and left out.
        const known =
          claim.strategy === 'ability'
            ? ['workskill', 'academicskill', 'personalskill']
            : ['careergoal', 'academicgoal', 'personalgoal', 'interest', 'coverletter'];
        const type =
          maharaPlugins(e)
            .map((p) => nsAttr(p, namespaceMahara, 'type') ?? '')
            .find((t) => known.includes(t)) ?? null;
        if (type) made();
        return { as: 'resume', type };
      }
      case 'file/folder':
        made();
        return { as: 'folder', title: title(e) };
      default:
        made();
        return { as: claim.strategy as 'profile-field' | 'introduction' | 'plan' | 'annotation' | 'peerassessment' | 'view' | 'collection' };
    }
  }
  function post(e: El, journal: string): Landing {
    return { as: 'post', title: title(e), journal, tags: tags(e), attachments: [] };
  }

  // setup_relationships(): comments go on the artefact they reflect on when it was imported (else
  // they stay on a temporary page); posts get every `enclosure`/`related` link as an attachment
  // (PluginImportLeap::create_attachment(): the artefact of that entry, or the file at that path).
  for (const [id, landing] of landings) {
    const e = byId.get(id) as El;
    if (landing.as === 'comment') {
      const target = linked(e, 'reflects_on')[0] ?? '';
      if (imported.has(target)) landing.on = { entry: target };
    }
    if (landing.as === 'post' || landing.as === 'comment') {
      for (const l of links(e)) {
        if ((l.rel !== 'enclosure' && l.rel !== 'related') || l.href === undefined) continue;
        const attachment = imported.has(l.href)
          ? { entry: l.href }
          : files.has(decodeURIComponent(l.href))
            ? { linkedFile: l.href, name: `${title(e)} attachment` }
            : null;
        if (attachment && landing.as === 'post') landing.attachments.push(attachment);
      }
    }
  }

  // fix_artefact_references(): <a>/<img> with rel="leap2:has_part" or "enclosure" in imported text
  // point at the artefact their href's entry became, when exactly one; otherwise left as written.
  const references: MaharaImport['references'] = [];
  const leapPrefix = namespaces.get(leapNs) ?? '';
  for (const [id, landing] of landings) {
    if (landing.as !== 'post' && landing.as !== 'journal' && landing.as !== 'comment') continue;
    const c = content(byId.get(id) as El);
    for (const a of c ? descendants(c) : []) {
      if (a.local !== 'a' && a.local !== 'img') continue;
      const rel = plainAttr(a, 'rel');
      const href = plainAttr(a, 'href') ?? plainAttr(a, 'src');
      if ((rel === `${leapPrefix}:has_part` || rel === 'enclosure') && href !== undefined)
        references.push({ in: id, href, resolves: imported.get(href) === 1 });
    }
  }

  return { namespaceMahara, personEntry, claims, landings, profile: authorData(person), references };

  // LeapImportInternal::import_author_data(): intro from the person's content; get_namefields() and
  // import_persondata() read `leap2:field` in the LEAP namespace of this Mahara (get_attributes($item, NS_LEAP)).
  function authorData(p: El | undefined): MaharaImport['profile'] {
    const profile = { firstname: '', lastname: '', preferredname: '', email: [] as string[], introduction: null as string | null };
    if (!p) return profile; // (the <author> fallback is not ported: Polku always writes the person)
    if (!personContentBlank) profile.introduction = content(p)?.text ?? '';
    const prefix = namespaces.get(leapNs) ?? '';
    const persondata = p.children.filter((c) => c.local === 'persondata' && c.uri === p.ns[prefix]);
    const f: Record<string, string | false> = {};
    for (const item of persondata) {
      const field = nsAttr(item, leapNs, 'field');
      if (field === undefined) continue; // "WARNING: persondata element did not have leap:field attribute"
      if (field === 'email') profile.email.push(item.text);
      if (field === 'legal_given_name' && f.legal_given_name) f.legal_given_name += ` ${item.text}`;
      else f[field] = item.text;
    }
    const s = (k: string) => (f[k] === undefined || f[k] === false ? '' : String(f[k]));
    const given = f.legal_given_name === undefined && f.preferred_given_name !== undefined ? s('preferred_given_name') : s('legal_given_name');
    const family = f.legal_family_name === undefined && f.preferred_family_name !== undefined ? s('preferred_family_name') : s('legal_family_name');
    if (s('family_name_first') === 'yes') {
      profile.firstname = `${given} ${s('name_suffix')}`.trim();
      profile.lastname = `${s('name_prefix')}${family}`.trim();
      profile.preferredname = `${s('preferred_family_name')} ${s('preferred_given_name')}`.trim();
    } else {
      profile.firstname = `${s('name_prefix')} ${given}`.trim();
      profile.lastname = `${family} ${s('name_suffix')}`.trim();
      profile.preferredname = `${s('preferred_given_name')} ${s('preferred_family_name')}`.trim();
    }
    return profile;
  }
}
