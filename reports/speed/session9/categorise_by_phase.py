# Groups `perf script` samples by phase (the prover frame of the main thread at or before each sample, by time) and by work (first matching pattern). Session 9. Usage: python3 categorise_by_phase.py FILE
import re,collections,sys
samples=open(sys.argv[1]).read().split('\n\n')
phases=[('A','commit_main'),('C','commit_aux'),('R2','commit_quotient'),('R3','ood_values'),('R4','quotient_on_lde|fri::commit|trace_domain_columns|combine_on_trace'),('open','InstanceStore.*::open|opened::gather|grind'),('setup','commit_preprocessed'),('exec','vm::executor|Executor::run')]
works=[('aux_build','build_aux_trace'),('replay','CpuReplay|retired::|add_rows|invert_diffs'),('compos','composition::evaluate'),('merkle','subtree_roots|hash_many|merkle|keccak'),('ntt','p3_dft|stark::ntt'),('deep','deep::'),('fri','fri::'),('bary','evaluate_columns|domain::'),('copy','memcpy|memmove'),('clear_page','clear_page|page_fault|memset')]
rows=[]
for s in samples:
    lines=[l.strip() for l in s.strip().split('\n') if l.strip()]
    if len(lines)<2: continue
    h=lines[0].split()
    # header: comm pid/tid time: ...
    t=next(float(x[:-1]) for x in h if re.match(r'^\d+\.\d+:$',x))
    frames=[l.split(' ',1)[1] if ' ' in l else l for l in lines[1:]]
    stack=' '.join(frames)
    p=next((k for k,pat in phases if re.search(pat,stack)),None)
    w=next((k for k,pat in works if re.search(pat,stack)),'other')
    rows.append((t,p,w))
rows.sort()
cur='?'; groups=collections.Counter(); ph=collections.Counter()
for t,p,w in rows:
    if p: cur=p
    groups[(cur,w)]+=1; ph[cur]+=1
tot=len(rows)
print('samples',tot)
for p,v in ph.most_common():
    print('%-6s %5d %5.1f%%'%(p,v,100*v/tot), '  '.join('%s:%d'%(w,c) for (pp,w),c in sorted(groups.items(),key=lambda x:-x[1]) if pp==p))
