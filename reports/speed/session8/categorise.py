# Groups `perf script` samples by the first matching pattern in each stack (session 8). Usage: python3 categorise.py FILE
import re,collections,sys
samples=open(sys.argv[1]).read().split('\n\n')
tot=0
groups=collections.Counter()
for s in samples:
    lines=[l.strip() for l in s.strip().split('\n') if l.strip()]
    if len(lines)<2: continue
    tot+=1
    frames=[l.split(' ',1)[1] if ' ' in l else l for l in lines[1:]]
    stack=' '.join(frames)
    key=None
    for k,pat in [('aux_build','build_aux_trace'),('compos','composition::evaluate'),('replay','CpuReplay|retired::|add_rows|invert_diffs'),('merkle','subtree_roots|hash_many|merkle'),('deep','deep::'),('fri','fri::'),('ood','ood_values|weighted_column_sums|coset_weights|subgroup_weights'),('ntt','p3_dft'),('exec','executor|Executor|witness::'),('clear_page','clear_page')]:
        if re.search(pat,stack): key=k;break
    groups[key or 'other']+=1
print('samples',tot)
for k,v in groups.most_common(30): print('%5.1f%% %6d %s'%(100*v/tot,v,k))
