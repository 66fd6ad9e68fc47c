"""tfdl's models: density models following the protocol (log_prob, sample,
.keras round trip) and the deep-RNN builders."""
from tfdl.models.deep_rnn import deep_rnn, recurrent_layer, recurrent_stack  # noqa: E402,F401
from tfdl.models.rnn_architectures import encoder_decoder, one_to_many, one_to_one  # noqa: E402,F401
from tfdl.models.autoencoder import Autoencoder  # noqa: E402,F401
from tfdl.models.vae import VAE  # noqa: E402,F401
from tfdl.models.conditional_vae import ConditionalVAE, conditional_pair  # noqa: E402,F401
from tfdl.models.smiles_vae import KLAnnealing, SmilesDecoder, SmilesVAE, smiles_pair  # noqa: E402,F401
from tfdl.models.made import MADE  # noqa: E402,F401
from tfdl.models.nade import NADE  # noqa: E402,F401
from tfdl.models.pixelcnn import PixelCNN  # noqa: E402,F401
from tfdl.models.pixelrnn import PixelRNN  # noqa: E402,F401
from tfdl.models.rbm import RBM  # noqa: E402,F401
from tfdl.models.dbn import DBN  # noqa: E402,F401
from tfdl.models.layerwise import LayerwiseStack, greedy_layerwise, to_classifier  # noqa: E402,F401
from tfdl.models.stacked_autoencoder import AutoencoderLayer, StackedAutoencoder  # noqa: E402,F401
from tfdl.models.fvsbn import FVSBN  # noqa: E402,F401
