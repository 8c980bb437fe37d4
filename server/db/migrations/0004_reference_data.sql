-- Reference data from the national curricula (see ../shared/DOMAIN.md): subjects by KOSKI code,
-- transversal competences of basic education (L1–L7) and the competence areas of upper secondary school.
insert into subjects (code, labels, position) values
  ('AI', '{"fi": "Äidinkieli ja kirjallisuus", "sv": "Modersmål och litteratur", "en": "Mother tongue and literature"}'::jsonb, 0),
  ('A1', '{"fi": "A1-kieli", "sv": "A1-språk", "en": "A1 language"}'::jsonb, 1),
  ('A2', '{"fi": "A2-kieli", "sv": "A2-språk", "en": "A2 language"}'::jsonb, 2),
  ('B1', '{"fi": "B1-kieli", "sv": "B1-språk", "en": "B1 language"}'::jsonb, 3),
  ('B2', '{"fi": "B2-kieli", "sv": "B2-språk", "en": "B2 language"}'::jsonb, 4),
  ('B3', '{"fi": "B3-kieli", "sv": "B3-språk", "en": "B3 language"}'::jsonb, 5),
  ('MA', '{"fi": "Matematiikka", "sv": "Matematik", "en": "Mathematics"}'::jsonb, 6),
  ('YL', '{"fi": "Ympäristöoppi", "sv": "Omgivningslära", "en": "Environmental studies"}'::jsonb, 7),
  ('BI', '{"fi": "Biologia", "sv": "Biologi", "en": "Biology"}'::jsonb, 8),
  ('GE', '{"fi": "Maantieto", "sv": "Geografi", "en": "Geography"}'::jsonb, 9),
  ('FY', '{"fi": "Fysiikka", "sv": "Fysik", "en": "Physics"}'::jsonb, 10),
  ('KE', '{"fi": "Kemia", "sv": "Kemi", "en": "Chemistry"}'::jsonb, 11),
  ('TE', '{"fi": "Terveystieto", "sv": "Hälsokunskap", "en": "Health education"}'::jsonb, 12),
  ('KT', '{"fi": "Uskonto", "sv": "Religion", "en": "Religion"}'::jsonb, 13),
  ('ET', '{"fi": "Elämänkatsomustieto", "sv": "Livsåskådningskunskap", "en": "Secular ethics"}'::jsonb, 14),
  ('HI', '{"fi": "Historia", "sv": "Historia", "en": "History"}'::jsonb, 15),
  ('YH', '{"fi": "Yhteiskuntaoppi", "sv": "Samhällslära", "en": "Social studies"}'::jsonb, 16),
  ('MU', '{"fi": "Musiikki", "sv": "Musik", "en": "Music"}'::jsonb, 17),
  ('KU', '{"fi": "Kuvataide", "sv": "Bildkonst", "en": "Visual arts"}'::jsonb, 18),
  ('KS', '{"fi": "Käsityö", "sv": "Slöjd", "en": "Crafts"}'::jsonb, 19),
  ('LI', '{"fi": "Liikunta", "sv": "Gymnastik", "en": "Physical education"}'::jsonb, 20),
  ('KO', '{"fi": "Kotitalous", "sv": "Huslig ekonomi", "en": "Home economics"}'::jsonb, 21),
  ('OP', '{"fi": "Oppilaanohjaus", "sv": "Elevhandledning", "en": "Guidance counselling"}'::jsonb, 22),
  ('PS', '{"fi": "Psykologia", "sv": "Psykologi", "en": "Psychology"}'::jsonb, 23),
  ('FI', '{"fi": "Filosofia", "sv": "Filosofi", "en": "Philosophy"}'::jsonb, 24);

insert into competence_frameworks (key, labels) values
  ('basic', '{"fi": "Perusopetus: laaja-alainen osaaminen", "sv": "Grundläggande utbildning: mångsidig kompetens", "en": "Basic education: transversal competences"}'::jsonb),
  ('upper-secondary', '{"fi": "Lukio: laaja-alainen osaaminen", "sv": "Gymnasiet: breda kompetenser", "en": "General upper secondary: transversal competences"}'::jsonb);

insert into competences (id, framework, key, labels, position) values
  ('basic:L1', 'basic', 'L1', '{"fi": "Ajattelu ja oppimaan oppiminen", "sv": "Förmåga att tänka och lära sig", "en": "Thinking and learning to learn"}'::jsonb, 0),
  ('basic:L2', 'basic', 'L2', '{"fi": "Kulttuurinen osaaminen, vuorovaikutus ja ilmaisu", "sv": "Kulturell och kommunikativ kompetens", "en": "Cultural competence, interaction and self-expression"}'::jsonb, 1),
  ('basic:L3', 'basic', 'L3', '{"fi": "Itsestä huolehtiminen ja arjen taidot", "sv": "Vardagskompetens", "en": "Taking care of oneself and managing daily life"}'::jsonb, 2),
  ('basic:L4', 'basic', 'L4', '{"fi": "Monilukutaito", "sv": "Multilitteracitet", "en": "Multiliteracy"}'::jsonb, 3),
  ('basic:L5', 'basic', 'L5', '{"fi": "Tieto- ja viestintäteknologinen osaaminen", "sv": "Digital kompetens", "en": "ICT competence"}'::jsonb, 4),
  ('basic:L6', 'basic', 'L6', '{"fi": "Työelämätaidot ja yrittäjyys", "sv": "Arbetslivskompetens och entreprenörskap", "en": "Working life competence and entrepreneurship"}'::jsonb, 5),
  ('basic:L7', 'basic', 'L7', '{"fi": "Osallistuminen, vaikuttaminen ja kestävän tulevaisuuden rakentaminen", "sv": "Förmåga att delta, påverka och bidra till en hållbar framtid", "en": "Participation, involvement and building a sustainable future"}'::jsonb, 6),
  ('upper-secondary:well-being', 'upper-secondary', 'well-being', '{"fi": "Hyvinvointiosaaminen", "sv": "Kompetens för välbefinnande", "en": "Well-being competence"}'::jsonb, 0),
  ('upper-secondary:interaction', 'upper-secondary', 'interaction', '{"fi": "Vuorovaikutusosaaminen", "sv": "Kommunikativ kompetens", "en": "Interaction competence"}'::jsonb, 1),
  ('upper-secondary:multidisciplinary-creative', 'upper-secondary', 'multidisciplinary-creative', '{"fi": "Monitieteinen ja luova osaaminen", "sv": "Tvärvetenskaplig och kreativ kompetens", "en": "Multidisciplinary and creative competence"}'::jsonb, 2),
  ('upper-secondary:societal', 'upper-secondary', 'societal', '{"fi": "Yhteiskunnallinen osaaminen", "sv": "Samhällelig kompetens", "en": "Societal competence"}'::jsonb, 3),
  ('upper-secondary:ethical-environmental', 'upper-secondary', 'ethical-environmental', '{"fi": "Eettisyys ja ympäristöosaaminen", "sv": "Etisk kompetens och miljökompetens", "en": "Ethical and environmental competence"}'::jsonb, 4),
  ('upper-secondary:global-cultural', 'upper-secondary', 'global-cultural', '{"fi": "Globaali- ja kulttuuriosaaminen", "sv": "Global och kulturell kompetens", "en": "Global and cultural competence"}'::jsonb, 5);
