"""Drug table: brand and generic names (and common misspellings) -> generic name and drug class.

``lookup_drug(text)`` finds the drug named in a request and resolves it to one ``Drug`` whose
``generic`` is the contract's service (section 4.2: lower-case generic name, ingredients joined by
"/") and whose ``drug_class`` is one of the contract's Pharmaceuticals subcategories (section 4.1).
Compounded products (several ingredients in one topical or compounded request or joined as one
product, "compound", "in cream base", or a topical form of a drug not sold as a commercial topical)
resolve to class ``Topical Compounds`` with the ingredients' generic names joined by "/" in the
order written; a fixed combination of the table stays that product however it is written.

The table is written as text blocks, one block per class, one line per drug:
``generic: alias, alias, ...``. The generic is an alias too. Aliases are matched on whole words,
case-insensitively, ignoring punctuation ("MS-Contin" = "ms contin"). A generic containing "/" is a
fixed combination: naming its ingredients separately ("Hydrocodone/APAP") resolves to it. To add a
drug, add a line (or an alias) to the block of its class; brand kits sold as proprietary packages
also go in ``_KITS`` so that they keep their ingredient's class whatever their dosage form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PHARMACEUTICAL_CLASSES = (
    "Opioids",
    "NSAID",
    "Muscle Relaxant",
    "Anti-epilepsy drugs",
    "Antidepressant",
    "Topical Analgesics",
    "Topical Compounds",
    "Proton Pump Inhibitors",
    "H2 Blocker",
    "Sedative-hypnotics",
    "Benzodiazepines",
    "AntiAnxiety",
    "Antiemetic",
    "Antimigraine Agent",
    "Stimulants",
    "Atypical Antipsychotic",
    "Viscosupplementation",
    "Adrenal Cortical Steroids",
    "Misc Analgesics",
    "GI Agents",
    "Antihistamine",
    "Antihypertensive",
    "Anti-infectives",
    "Hormones",
    "Impotence Agents",
    "Nutritional Products",
    "Opioid Antagonist",
    "Statin",
    "Cannabinoids",
    "Other",
)


@dataclass(frozen=True, slots=True)
class Drug:
    """A resolved drug: ``generic`` is the service, ``drug_class`` the subcategory."""

    generic: str
    drug_class: str
    kit: bool = False  # proprietary branded kit: keeps its class whatever the dosage form
    topical: bool = False  # the name itself denotes a topical product (Lidoderm, Flector)

    @property
    def ingredients(self) -> tuple[str, ...]:
        return tuple(self.generic.split("/"))


# fmt: off
_TABLE: dict[str, str] = {
    "Opioids": """
        hydrocodone/acetaminophen: norco, vicodin, vicodin es, vicodin hp, lortab, lorcet, xodol,
            hycet, zamicet, verdrocet, zydone, maxidone, anexsia, co-gesic, hydrocodone apap,
            hydrocodone bitartrate acetaminophen, hydrocodone acetaminophen, hydrocodone/apap
        hydrocodone/ibuprofen: vicoprofen, reprexain, ibudone, xylon
        hydrocodone: zohydro, zohydro er, hysingla, hysingla er, vantrela, hydrocodone er,
            hydrocodone bitartrate, hydrocodon, hydrocodeine
        oxycodone/acetaminophen: percocet, endocet, roxicet, primlev, xartemis, xartemis xr,
            tylox, magnacet, nalocet, prolate, oxycodone apap, oxycodone/apap, percoset, percocette
        oxycodone/aspirin: percodan, endodan
        oxycodone/ibuprofen: combunox
        oxycodone/naloxone: targiniq
        oxycodone/naltrexone: troxyca
        oxycodone: oxycontin, oxy contin, oxycontin er, roxicodone, oxecta, xtampza, oxaydo,
            oxycodone er, oxycodone ir, oxy ir, oxyir, roxybond, oxycodon, oxycodine
        tramadol/acetaminophen: ultracet, tramadol apap, tramadol/apap
        tramadol: ultram, ultram er, ryzolt, conzip, rybix, tramadol er, tramadol hcl, tramadol
            extended release, trammadol, tramadal, synapryn
        tapentadol: nucynta, nucynta er, nucenta, tapendadol
        buprenorphine/naloxone: suboxone, zubsolv, bunavail
        buprenorphine: butrans, belbuca, subutex, buprenex, probuphine, sublocade, buprenorphine
            patch, bupenorphine
        fentanyl: duragesic, fentora, actiq, subsys, abstral, lazanda, onsolis, fentanyl patch
        sufentanil: dsuvia
        morphine/naltrexone: embeda
        morphine: ms contin, mscontin, kadian, avinza, msir, ms ir, morphabond, arymo, arymo er,
            morphine sulfate, morphine er, oramorph
        methadone: dolophine, methadose, methadon
        hydromorphone: dilaudid, exalgo, hydromorphone er
        oxymorphone: opana, opana er, oxymorphone er
        acetaminophen/codeine: tylenol 3, tylenol 4, tylenol with codeine, tylenol codeine,
            tylenol no 3, tylenol no 4, apap codeine, apap/codeine, tylenol3
        codeine: codeine sulfate
        levorphanol: levo dromoran
        meperidine: demerol
        pentazocine/naloxone: talwin nx
        pentazocine: talwin
        butorphanol: stadol
        hydrocodone/homatropine: hycodan
        benzhydrocodone/acetaminophen: apadaz
        dihydrocodeine/acetaminophen/caffeine: trezix, panlor
    """,
    "NSAID": """
        naproxen: naprosyn, anaprox, anaprox ds, naproxen sodium, aleve, ec naprosyn, naprelan,
            naprosyn ec, naproxen ds, naproxyn, naproxin, naprosen, naprox, naproxen na
        naproxen/esomeprazole: vimovo
        ibuprofen: motrin, advil, ibuprophen, ibuprofin, caldolor
        ibuprofen/famotidine: duexis
        meloxicam: mobic, vivlodex, qmiiz, meloxicam tabs, meloxican
        celecoxib: celebrex, celebrax, celecoxcib
        nabumetone: relafen, relafin, nabumatone, nabumeton
        etodolac: lodine, lodine xl, etodolac er, etodalac
        diclofenac: voltaren, voltaren xr, cataflam, zipsor, zorvolex, cambia, dyloject,
            diclofenac sodium, diclofenac potassium, diclofenac er, diclofenac xr, diclofenec,
            diclofenac epolamine, diclofenac sodium er
        diclofenac/misoprostol: arthrotec
        ketorolac: toradol, sprix, ketorolac tromethamine
        indomethacin: indocin, tivorbex, indomethicin
        ketoprofen: orudis, oruvail, ketoprophen
        flurbiprofen: ansaid, flurbiprophen, flurbiprofin
        oxaprozin: daypro, coxanto
        piroxicam: feldene
        sulindac: clinoril
        diflunisal: dolobid
        salsalate: disalcid
        fenoprofen: nalfon, fenortho, fenoprophen
        mefenamic acid: ponstel
        tolmetin: tolectin
        aspirin: bayer aspirin, ecotrin, acetylsalicylic acid
        choline magnesium trisalicylate: trilisate
    """,
    "Muscle Relaxant": """
        cyclobenzaprine: flexeril, fexmid, amrix, flexiril, flexaril, flexerill, cyclobenzeprine,
            cyclobenzaprin, cyclobenazprine, cyclobenzapine, cyclobenzaprine hcl, cyclophene,
            tabradol
        carisoprodol: soma, carisoprodal, carisprodol, vanadom
        carisoprodol/aspirin/codeine: soma compound with codeine
        methocarbamol: robaxin, robaxin 750, methocarbomol, methocarbamal
        tizanidine: zanaflex, tizanadine, tizinidine, tizanidine hcl, tizanidin
        baclofen: lioresal, gablofen, ozobax, baclophen
        metaxalone: skelaxin, metaxolone, metaxalon
        orphenadrine: norflex, orphenadrine citrate, orphenadrine er
        orphenadrine/aspirin/caffeine: norgesic, norgesic forte, orphengesic
        chlorzoxazone: parafon forte, lorzone, parafon
        dantrolene: dantrium
    """,
    "Anti-epilepsy drugs": """
        gabapentin: neurontin, gralise, gabapentine, gabapenten, gabapentin enacarbil, horizant,
            nuerontin, gabapentin er, fanatrex
        pregabalin: lyrica, lyrica cr, pregabalin er, pregablin, lyrika
        topiramate: topamax, trokendi, qudexy, topamax xr, topiramate er
        carbamazepine: tegretol, tegretol xr, carbatrol, equetro
        oxcarbazepine: trileptal, oxtellar
        lamotrigine: lamictal, lamotrigene
        levetiracetam: keppra
        divalproex: depakote, depakote er, valproic acid, valproate, depakene
        zonisamide: zonegran
        phenytoin: dilantin
        lacosamide: vimpat
        tiagabine: gabitril
    """,
    "Antidepressant": """
        amitriptyline: elavil, amitryptiline, amitriptylin, amitryptyline, amytriptyline
        nortriptyline: pamelor, aventyl, nortryptiline, nortriptylin
        duloxetine: cymbalta, drizalma, duloxitine, duloxetin, duloxetine dr
        venlafaxine: effexor, effexor xr, venlafaxine er, venlafaxin
        desvenlafaxine: pristiq, khedezla
        milnacipran: savella
        sertraline: zoloft
        fluoxetine: prozac, sarafem
        paroxetine: paxil, paxil cr, pexeva
        citalopram: celexa
        escitalopram: lexapro
        bupropion: wellbutrin, wellbutrin xl, wellbutrin sr, budeprion, aplenzin, forfivo
        trazodone: desyrel, oleptro, trazadone, trazodon
        mirtazapine: remeron, remeron soltab
        doxepin: sinequan
        imipramine: tofranil
        desipramine: norpramin
        vilazodone: viibryd
        vortioxetine: trintellix, brintellix
        nefazodone: serzone
        clomipramine: anafranil
        protriptyline: vivactil
        fluvoxamine: luvox
    """,
    "Topical Analgesics": """
        lidocaine: lidoderm, lidocaine patch, lido patch, ztlido, lidocaine hcl, lidocaine
            ointment, xylocaine, lidocain, lidocane, lidoderm patch, anecream, lidorx, lido rx,
            xolido, lidopatch, lidothol, lidozol, ela max, lmx, lmx 4, lidocream, lidotral,
            lidocaine pad, lidovex, lidopin, lido bdk
        lidocaine/menthol: terocin, terocin patch, terocin lotion, lidotherm, lido mentho
        lidocaine/prilocaine: emla, emla cream, oraqix
        capsaicin: zostrix, qutenza, capsacin, capsiacin, capzasin, capsaicine
        menthol: biofreeze, bio freeze, polar frost
        methyl salicylate/menthol: salonpas, bengay, ben gay, icy hot, mentoderm, menthoderm,
            mentherm, thera gesic, theragesic, methoderm, keratek, kera tek
        methyl salicylate/menthol/capsaicin: medrox, dendracin, ultracin
        capsaicin/lidocaine/menthol/methyl salicylate: lidopro, lido pro
        methyl salicylate: methylsalicylate, wintergreen oil
        camphor: camphor
        trolamine salicylate: aspercreme, trolamine
        prilocaine: prilocaine
        bupivacaine: marcaine, sensorcaine
        tetracaine: tetracaine
        benzocaine: benzocaine
        diclofenac: pennsaid, flector, flector patch, voltaren gel, solaraze
    """,
    "Topical Compounds": """
        flurbiprofen/cyclobenzaprine: fluriflex
        tramadol/gabapentin/menthol/camphor/capsaicin: tghot, tg hot
        tramadol/gabapentin/menthol/camphor: tgice, tg ice
    """,
    "Proton Pump Inhibitors": """
        omeprazole: prilosec, prilosec otc, omeprazole dr, omeprazol, omeprazole delayed release,
            zegerid, omeprazole magnesium
        esomeprazole: nexium, esomeprazole magnesium, esomeprazol
        pantoprazole: protonix, pantoprazole sodium, pantoprazol, pantoprazole dr,
            pantoprazole sod
        lansoprazole: prevacid, prevacid solutab, lansoprazol
        rabeprazole: aciphex
        dexlansoprazole: dexilant, kapidex
    """,
    "H2 Blocker": """
        ranitidine: zantac, ranitidine hcl, ranitadine, deprizine
        famotidine: pepcid, pepcid ac, famotadine
        cimetidine: tagamet
        nizatidine: axid
    """,
    "Sedative-hypnotics": """
        zolpidem: ambien, ambien cr, zolpidem er, zolpidem cr, edluar, intermezzo, zolpimist,
            ambian, zolpidem tartrate, zolpidim
        eszopiclone: lunesta, eszopiclon, ezopiclone
        zaleplon: sonata
        suvorexant: belsomra
        ramelteon: rozerem
        doxepin: silenor
        butabarbital: butisol
    """,
    "Benzodiazepines": """
        temazepam: restoril
        alprazolam: xanax, xanax xr, alprazolam er, alprazalam
        clonazepam: klonopin, klonapin, clonazapam
        diazepam: valium, diastat
        lorazepam: ativan, lorazapam
        chlordiazepoxide: librium
        triazolam: halcion
        oxazepam: serax
        clorazepate: tranxene
        flurazepam: dalmane
        estazolam: prosom
    """,
    "AntiAnxiety": """
        buspirone: buspar, buspirone hcl
        meprobamate: miltown
    """,
    "Antiemetic": """
        ondansetron: zofran, zofran odt, ondansetron odt, ondansteron, ondansetrom, zuplenz
        promethazine: phenergan, promethegan
        metoclopramide: reglan, metozolv
        prochlorperazine: compazine, compro
        meclizine: antivert, bonine, meclizine hcl
        trimethobenzamide: tigan
        scopolamine: transderm scop
        granisetron: kytril, sancuso
        dimenhydrinate: dramamine
    """,
    "Antimigraine Agent": """
        sumatriptan: imitrex, zembrace, onzetra, sumatriptan succinate, sumatriptin
        sumatriptan/naproxen: treximet
        rizatriptan: maxalt, maxalt mlt
        zolmitriptan: zomig, zomig zmt
        eletriptan: relpax
        naratriptan: amerge
        almotriptan: axert
        frovatriptan: frova
        ergotamine/caffeine: cafergot
        dihydroergotamine: migranal, d h e 45
        isometheptene/dichloralphenazone/acetaminophen: midrin
        erenumab: aimovig
    """,
    "Stimulants": """
        modafinil: provigil
        armodafinil: nuvigil
        methylphenidate: ritalin, concerta, methylin
        amphetamine/dextroamphetamine: adderall, adderall xr
        dextroamphetamine: dexedrine
        lisdexamfetamine: vyvanse
        phentermine: adipex, adipex p, lomaira
        phentermine/topiramate: qsymia
    """,
    "Atypical Antipsychotic": """
        quetiapine: seroquel, seroquel xr
        aripiprazole: abilify
        olanzapine: zyprexa
        risperidone: risperdal
        ziprasidone: geodon
        lurasidone: latuda
        brexpiprazole: rexulti
        asenapine: saphris
        paliperidone: invega
        clozapine: clozaril
    """,
    "Viscosupplementation": """
        hyaluronic acid: synvisc, synvisc one, synvisc-one, orthovisc, euflexxa, supartz,
            supartz fx, hyalgan, monovisc, gel one, gel-one, gelsyn, gelsyn 3, genvisc, hymovis,
            durolane, trivisc, visco 3, hylan, hylan g f 20, sodium hyaluronate, hyaluronan,
            hyaluronate, viscosupplementation, viscosupplement, visco supplementation
    """,
    "Adrenal Cortical Steroids": """
        methylprednisolone: medrol, medrol dosepak, medrol dose pack, medrol dosepack,
            depo medrol, solu medrol, methylprednisolone acetate
        prednisone: deltasone, rayos, predisone
        prednisolone: orapred, millipred
        dexamethasone: decadron
        hydrocortisone: cortef, solu cortef
        triamcinolone: kenalog, zilretta, aristospan
        betamethasone: celestone, celestone soluspan
        cortisone: cortisone acetate
        fluticasone: flonase
    """,
    "Misc Analgesics": """
        acetaminophen: tylenol, apap, paracetamol, tylenol extra strength, tylenol arthritis,
            acetaminophen er, ofirmev, acetaminophin, acetominophen
        butalbital/acetaminophen/caffeine: fioricet, esgic, zebutal, fioricet with caffeine,
            butalbital apap caffeine
        butalbital/aspirin/caffeine: fiorinal
        acetaminophen/aspirin/caffeine: excedrin
        ziconotide: prialt
    """,
    "GI Agents": """
        docusate: colace, docusate sodium, docusil, docusate sod
        senna/docusate: senokot s, senokot-s, peri colace, senna s, senna docusate
        senna: senokot, sennosides, senna plus, sennoside
        bisacodyl: dulcolax
        polyethylene glycol: miralax, glycolax, peg 3350
        lactulose: enulose, kristalose
        lubiprostone: amitiza
        linaclotide: linzess
        naloxegol: movantik
        methylnaltrexone: relistor
        naldemedine: symproic
        plecanatide: trulance
        dicyclomine: bentyl
        sucralfate: carafate
        misoprostol: cytotec
        simethicone: gas x
        loperamide: imodium
        psyllium: metamucil
        magnesium citrate: citroma
        hyoscyamine: levsin
    """,
    "Antihistamine": """
        diphenhydramine: benadryl, dicopanor, dicopanol, diphenhydramine hcl
        hydroxyzine: vistaril, atarax, hydroxyzine hcl, hydroxyzine pamoate
        cetirizine: zyrtec
        loratadine: claritin
        fexofenadine: allegra
        cyproheptadine: periactin
        doxylamine: unisom
        levocetirizine: xyzal
    """,
    "Antihypertensive": """
        lisinopril: prinivil, zestril
        lisinopril/hydrochlorothiazide: zestoretic
        losartan: cozaar
        losartan/hydrochlorothiazide: hyzaar
        valsartan: diovan
        amlodipine: norvasc
        metoprolol: lopressor, toprol, toprol xl, metoprolol succinate, metoprolol tartrate
        atenolol: tenormin
        propranolol: inderal, inderal la
        carvedilol: coreg
        hydrochlorothiazide: hctz, microzide
        clonidine: catapres, kapvay
        benazepril: lotensin
        enalapril: vasotec
        diltiazem: cardizem
        verapamil: calan
        nifedipine: procardia, adalat
        hydralazine: apresoline
        spironolactone: aldactone
        furosemide: lasix
        prazosin: minipress
        terazosin: hytrin
        doxazosin: cardura
        labetalol: trandate
        irbesartan: avapro
        olmesartan: benicar
        triamterene/hydrochlorothiazide: maxzide, dyazide
    """,
    "Anti-infectives": """
        cephalexin: keflex
        amoxicillin: amoxil
        amoxicillin/clavulanate: augmentin
        ciprofloxacin: cipro
        levofloxacin: levaquin
        doxycycline: vibramycin, doryx
        azithromycin: zithromax, z pak, zpak
        clindamycin: cleocin
        sulfamethoxazole/trimethoprim: bactrim, bactrim ds, septra
        nitrofurantoin: macrobid, macrodantin
        fluconazole: diflucan
        acyclovir: zovirax
        valacyclovir: valtrex
        mupirocin: bactroban
        metronidazole: flagyl
        vancomycin: vancocin
        penicillin: pen vk
        cefazolin: ancef
        ceftriaxone: rocephin
        minocycline: minocin
        terbinafine: lamisil
        rifampin: rifadin
        oseltamivir: tamiflu
    """,
    "Hormones": """
        testosterone: androgel, androderm, testim, axiron, fortesta, vogelxo, aveed,
            depo testosterone, testosterone cypionate, testosterone enanthate, natesto, striant,
            testopel
        estradiol: estrace, vivelle, climara
        conjugated estrogens: premarin
        levothyroxine: synthroid, levoxyl, unithroid, tirosint
        liothyronine: cytomel
        thyroid desiccated: armour thyroid, np thyroid
        progesterone: prometrium
        medroxyprogesterone: provera, depo provera
        insulin: lantus, humalog, novolog, levemir
        calcitonin: miacalcin
        somatropin: genotropin, humatrope
        teriparatide: forteo
    """,
    "Impotence Agents": """
        sildenafil: viagra, revatio
        tadalafil: cialis, adcirca
        vardenafil: levitra, staxyn
        avanafil: stendra
        alprostadil: caverject, edex
    """,
    "Nutritional Products": """
        vitamin d: vitamin d3, vitamin d 3, vitamin d2, ergocalciferol, cholecalciferol, drisdol,
            vit d, vitamin d 50000, vitamin d 50
        vitamin b12: b12, b 12, vitamin b 12, cyanocobalamin, methylcobalamin, vit b12
        vitamin b complex: b complex, vitamin b
        vitamin c: ascorbic acid
        vitamin e: vit e
        folic acid: folate
        multivitamin: multi vitamin, multivitamins, vitamins, prenatal vitamins
        calcium: calcium carbonate, calcium citrate, os cal, citracal, caltrate
        calcium/vitamin d: calcium with vitamin d
        glucosamine: glucosamine sulfate, glucosamine hcl, genicin
        glucosamine/chondroitin: cosamin, cosamin ds, osteo bi flex, glucosamine chondroitin
        chondroitin: chondroitin sulfate
        omega-3 fatty acids: fish oil, omega 3, omega 3 fatty acids, lovaza
        theramine: theramine
        sentra pm: sentra pm
        sentra am: sentra am
        trepadone: trepadone
        gabadone: gabadone
        percura: percura
        appetrex: appetrex
        hypertensa: hypertensa
        somnicin: somnicin
        melatonin: melatonin
        iron: ferrous sulfate, ferrous gluconate
        magnesium: magnesium oxide, mag ox
        potassium chloride: k dur, klor con
        coenzyme q10: coq10
        probiotic: probiotics, culturelle
        turmeric: curcumin
        medical food: medical foods
    """,
    "Opioid Antagonist": """
        naloxone: narcan, evzio, naloxone nasal spray
        naltrexone: revia, vivitrol, depade
    """,
    "Statin": """
        atorvastatin: lipitor
        simvastatin: zocor
        rosuvastatin: crestor
        pravastatin: pravachol
        lovastatin: mevacor, altoprev
        pitavastatin: livalo
        ezetimibe/simvastatin: vytorin
    """,
    "Cannabinoids": """
        dronabinol: marinol, syndros
        nabilone: cesamet
        cannabis: marijuana, medical marijuana, medical cannabis, marihuana
        cannabidiol: cbd, cbd oil, epidiolex
    """,
    "Other": """
        enoxaparin: lovenox
        warfarin: coumadin, jantoven
        apixaban: eliquis
        rivaroxaban: xarelto
        dabigatran: pradaxa
        clopidogrel: plavix
        heparin: heparin
        metformin: glucophage
        glipizide: glucotrol
        allopurinol: zyloprim
        colchicine: colcrys, mitigare
        tamsulosin: flomax
        finasteride: proscar
        oxybutynin: ditropan
        varenicline: chantix
        nicotine: nicoderm, nicotine patch, nicorette
        donepezil: aricept
        memantine: namenda
        ropinirole: requip
        pramipexole: mirapex
        carbidopa/levodopa: sinemet
        albuterol: proair, ventolin, proventil
        montelukast: singulair
        lithium: lithobid
        alendronate: fosamax
        ketamine: ketalar
        dextromethorphan: dextromethorphan
        amantadine: symmetrel
        pentoxifylline: trental
        nitroglycerin: nitro dur, nitrostat
        onabotulinumtoxina: botox, botulinum toxin, botox a, botulinum toxin a
        dimethyl sulfoxide: dmso
        guaifenesin: mucinex
        clonidine/ketamine: clonidine ketamine
        ibandronate: boniva
        denosumab: prolia
        tolterodine: detrol, detrol la
        disulfiram: antabuse
        acamprosate: campral
        adalimumab: humira
        etanercept: enbrel
        hydroxychloroquine: plaquenil
        methotrexate: trexall, otrexup, rasuvo
        febuxostat: uloric
        lorcaserin: belviq
        naltrexone/bupropion: contrave
        orlistat: xenical
    """,
}


def _words(text: str) -> list[str]:
    return text.split()


# Proprietary branded kits: keep their active ingredient's class in any dosage form.
_KITS = frozenset(
    _words("ketophene cyclophene deprizine synapryn fanatrex tabradol dicopanor dicopanol")
)
# Extra kit aliases not in the table above (name -> (generic, class)).
_KIT_EXTRA = {
    "ketophene": ("ketoprofen", "NSAID"),
}

# Names that denote a topical product by themselves (no "gel"/"patch" needed in the request).
_TOPICAL_NAMES = frozenset(
    (
        *_words(
        """lidoderm ztlido anecream lidorx xolido lidopatch lidothol terocin lidotherm emla zostrix
        qutenza capzasin biofreeze salonpas bengay mentoderm menthoderm mentherm theragesic
        methoderm medrox dendracin ultracin keratek lidopro aspercreme pennsaid flector solaraze
        lidozol lidocream lidotral lidovex lidopin oraqix lmx"""
    ),
    "ben gay",
    "icy hot",
    "medi derm",
    "lido pro",
    "bio freeze",
    "thera gesic",
    "lido rx",
    "polar frost",
    "lido mentho",
    "ela max",
    "lmx 4",
        "lido bdk",
    "kera tek",
    )
)
# fmt: on

# Ingredients sold as commercial single-agent topicals: a topical form of them is a Topical
# Analgesic; a topical form of any other drug (ketoprofen cream, gabapentin gel) is compounded.
_COMMERCIAL_TOPICAL = frozenset(
    (
        *_words("lidocaine diclofenac capsaicin menthol camphor prilocaine tetracaine benzocaine"),
        "methyl salicylate",
        "trolamine salicylate",
    )
)
# Drugs given through the skin for a systemic effect: the patch keeps the drug's own class.
_SYSTEMIC_TOPICAL = frozenset(
    _words(
        "fentanyl buprenorphine testosterone estradiol clonidine nitroglycerin scopolamine nicotine"
    )
)

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_FORM_WORDS = frozenset(("gel", "patch", "patches", "cream", "lotion", "ointment"))


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


def _build() -> tuple[dict[str, Drug], dict[frozenset[str], Drug], int]:
    names: dict[str, Drug] = {}
    combos: dict[frozenset[str], Drug] = {}
    longest = 1
    for drug_class, block in _TABLE.items():
        entries = re.split(r"\n(?=\s*[a-z0-9][a-z0-9 \-/]*:)", block.strip())
        for entry in entries:
            generic, _, aliases = entry.partition(":")
            generic = generic.strip()
            base = Drug(generic, drug_class)
            if "/" in generic:
                combos.setdefault(frozenset(generic.split("/")), base)
            alias_list = [generic] + [a for a in aliases.split(",") if a.strip()]
            for alias in alias_list:
                toks = _tokens(alias)
                if not toks:
                    continue
                key = " ".join(toks)
                kit = key in _KITS
                topical = key in _TOPICAL_NAMES or (len(toks) > 1 and toks[-1] in _FORM_WORDS)
                drug = Drug(generic, drug_class, kit=kit, topical=topical)
                # First definition wins so that a brand's class (Silenor) is not overwritten.
                names.setdefault(key, drug)
                longest = max(longest, len(toks))
    for key, (generic, drug_class) in _KIT_EXTRA.items():
        names[key] = Drug(generic, drug_class, kit=True)
    return names, combos, longest


_NAMES, _COMBOS, _LONGEST = _build()
_FIRST_TOKENS = frozenset(key.split(" ", 1)[0] for key in _NAMES)

_TOPICAL_FORM_RE = re.compile(
    r"\b(?:creams?|cr[eè]me|gels?|lotions?|ointments?|patch(?:es)?|topical(?:ly)?|transdermal|"
    r"liniment|balm|roll[- ]?on|foam|emulsion|pads?|plasters?|topical solution|rub)\b"
    r"|\d\s*%|\d+(?:\.\d+)?\s*(?:g|gm|gms|grams?)\b",
    re.IGNORECASE,
)
_COMPOUND_RE = re.compile(
    r"\bcompound(?:ed|s)?\b|\b(?:cream|gel|lotion|transdermal|lipoderm|versapro|pcca|ointment)"
    r"\s+base\b|\bbase\s+(?:cream|gel)\b|\bin\s+(?:a\s+)?base\b|\blipoderm\b|\bversapro\b",
    re.IGNORECASE,
)


_APAP_COMBINABLE = frozenset(("hydrocodone", "oxycodone", "tramadol", "codeine"))
_APAP_STRENGTH_RE = re.compile(r"\d\s*/\s*(?:300|325|500|650|660|750)(?!\d)")


def find_drugs(text: str) -> list[Drug]:
    """Every drug named in ``text``, in order, longest name first at each word."""
    toks = _tokens(text)
    found: list[Drug] = []
    i, n = 0, len(toks)
    while i < n:
        if toks[i] not in _FIRST_TOKENS:
            i += 1
            continue
        for length in range(min(_LONGEST, n - i), 0, -1):
            drug = _NAMES.get(" ".join(toks[i : i + length]))
            if drug is not None:
                found.append(drug)
                i += length
                break
        else:
            i += 1
    return found


def _dedupe(drugs: list[Drug]) -> list[Drug]:
    """Drop a mention whose ingredients are already covered ("Percocet (oxycodone)")."""
    out: list[Drug] = []
    for drug in drugs:
        ing = set(drug.ingredients)
        merged = False
        for k, prev in enumerate(out):
            prev_ing = set(prev.ingredients)
            if ing <= prev_ing:
                merged = True
                break
            if prev_ing < ing and not drug.kit:
                out[k] = drug
                merged = True
                break
        if not merged:
            out.append(drug)
    return out


def is_topical_form(text: str) -> bool:
    return _TOPICAL_FORM_RE.search(text) is not None


def is_compound(text: str) -> bool:
    return _COMPOUND_RE.search(text) is not None


# A request that names a systemic route: several drugs joined by "/" there are separate drugs
# ("Norco/Soma 350mg", "Toradol/B12 injection"), not one compounded product.
_SYSTEMIC_ROUTE_RE = re.compile(
    r"\b(?:tabs?|tablets?|caps?|capsules?|p\.?o|by mouth|orally|oral|sublingual|suspension|syrup"
    r"|elixir|inject\w*|injectable|im|iv|intravenous|intramuscular|shots?|infusion|\d+\s*mg)\b",
    re.IGNORECASE,
)
# Names of one product written as ingredients: "A/B", "A 20%/B 5%", "A + B", "A-B".
_JOINED_RE = re.compile(r"^[\s\d.%]*(?:mg|mcg|g|gm)?[\s\d.%]*[/+\-][\s\d.%/+\-]*$")


def _ingredients(drugs: list[Drug]) -> list[str]:
    ingredients: list[str] = []
    for drug in drugs:
        ingredients.extend(i for i in drug.ingredients if i not in ingredients)
    return ingredients


def drug_spans(text: str, limit: int = 0) -> list[tuple[int, int]]:
    """Where the drug names of ``text`` are (the first ``limit`` when given), as ``find_drugs``
    reads them: the classifier compares them with the positions of the other things named."""
    words = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(text.lower())]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(words) and not (limit and len(spans) >= limit):
        if words[i][2] not in _FIRST_TOKENS:
            i += 1
            continue
        for length in range(min(_LONGEST, len(words) - i), 0, -1):
            if " ".join(w[2] for w in words[i : i + length]) in _NAMES:
                spans.append((words[i][0], words[i + length - 1][1]))
                i += length
                break
        else:
            i += 1
    return spans


def _joined_as_one(text: str, count: int) -> bool:
    """Several drug names written as one product's ingredients ("A/B", "A 10%/B 5%")."""
    spans = drug_spans(text, count)
    gaps = [text[spans[k][1] : spans[k + 1][0]] for k in range(len(spans) - 1)]
    return bool(gaps) and all(_JOINED_RE.match(gap) for gap in gaps)


def lookup_drug(text: str) -> Drug | None:
    """The drug named in a request, resolved to its service and class; None when none is named.

    One rule for products of several active ingredients, whatever the letter's wording: a known
    fixed combination (Norco's hydrocodone/acetaminophen, EMLA's lidocaine/prilocaine) written
    as its ingredients is that product; any other set of ingredients in one topical or compounded
    product, or joined as one product ("A/B", "A 20%/B 5%") with no systemic route, is
    ``Topical Compounds`` with the ingredients in the order written.
    """
    mentions = find_drugs(text)
    if not mentions:
        return None
    drugs = _dedupe(mentions)
    topical = any(d.topical for d in drugs) or is_topical_form(text)
    systemic_patch = all(d.generic in _SYSTEMIC_TOPICAL for d in drugs)
    compound = is_compound(text)
    if len(drugs) > 1:
        union = frozenset(i for d in drugs for i in d.ingredients)
        combo = _COMBOS.get(union)
        if combo is not None and combo.drug_class != "Topical Compounds" and not compound:
            # a commercial fixed combination written as its ingredients: that product
            drugs = [combo]
        elif not systemic_patch and (
            topical
            or compound
            or (_joined_as_one(text, len(mentions)) and not _SYSTEMIC_ROUTE_RE.search(text))
        ):
            return Drug("/".join(_ingredients(drugs)), "Topical Compounds")
        elif combo is not None:
            return combo
    drug = drugs[0]
    if len(drugs) == 1 and not systemic_patch:
        if drug.kit:
            return drug
        if compound and (topical or drug.drug_class != "Viscosupplementation"):
            # Combination brands written alone (Terocin) stay commercial, compounded or not.
            if drug.topical:
                return Drug(drug.generic, "Topical Analgesics", topical=True)
            return Drug(drug.generic, "Topical Compounds")
        if topical:
            if drug.drug_class == "Topical Analgesics" or all(
                ing in _COMMERCIAL_TOPICAL for ing in drug.ingredients
            ):
                return Drug(drug.generic, "Topical Analgesics", topical=True)
            return Drug(drug.generic, "Topical Compounds")
    if drug.generic in _APAP_COMBINABLE and _APAP_STRENGTH_RE.search(text):
        # "Hydrocodone 10/325mg": the second strength is the acetaminophen of the combination
        return _COMBOS.get(frozenset((drug.generic, "acetaminophen")), drug)
    return drug


def names_by_generic() -> dict[str, tuple[str, ...]]:
    """Every generic with its names as the table writes them (the generic first): the search's
    synonyms (``determinations/search_terms.py``), which must keep "hydrocodone/apap" whole
    because PostgreSQL indexes a slashed name as one word."""
    names: dict[str, list[str]] = {}
    for block in _TABLE.values():
        for entry in re.split(r"\n(?=\s*[a-z0-9][a-z0-9 \-/]*:)", block.strip()):
            generic, _, aliases = entry.partition(":")
            generic = " ".join(generic.split())
            known = names.setdefault(generic, [generic])
            known += [" ".join(a.split()) for a in aliases.split(",") if a.strip()]
    return {generic: tuple(dict.fromkeys(found)) for generic, found in names.items()}
