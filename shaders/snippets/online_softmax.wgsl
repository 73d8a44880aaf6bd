// Online softmax of one streamed key block for one query row, shared by attention_forward.wgsl and
// attention_decode.wgsl (FlashAttention-2 style). Contract with the host shader: it declares
//   const MASKED: f32            score of an invisible key (finite)
//   override BK: u32             keys per block
//   var<workgroup> sc            scores of the block, row-major [rows, BK]; become probabilities
//   var<workgroup> rowM, rowL    running max and running sum of exp per row
//   var<workgroup> rowA          rescale factor exp(mOld - mNew) of this block per row
// softmaxBlockRow(r) turns row r of sc into exp(s - mNew) (0 for masked keys) and updates the row's
// running statistics; one invocation per row.
fn softmaxBlockRow(r: u32) {
  let mOld = rowM[r];
  var mNew = mOld;
  for (var jj = 0u; jj < BK; jj++) {
    let s = sc[r * BK + jj];
    if (s != MASKED) { mNew = max(mNew, s); }
  }
  var sum = 0.0;
  for (var jj = 0u; jj < BK; jj++) {
    let s = sc[r * BK + jj];
    var pr = 0.0;
    if (s != MASKED) { pr = exp(s - mNew); }
    sc[r * BK + jj] = pr;
    sum += pr;
  }
  let alpha = exp(mOld - mNew);
  rowA[r] = alpha;
  rowL[r] = rowL[r] * alpha + sum;
  rowM[r] = mNew;
}
